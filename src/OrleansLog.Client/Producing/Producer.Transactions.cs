namespace OrleansLog.Client.Producing;

/// <summary>
/// Transactions, with Confluent.Kafka's shapes: <see cref="InitTransactions"/> once, then <see cref="BeginTransaction"/>,
/// produces, optionally <see cref="SendOffsetsToTransaction"/>, and <see cref="CommitTransaction(TimeSpan)"/> or
/// <see cref="AbortTransaction(TimeSpan)"/>. Every record of a transaction, and the group offsets sent with it, become
/// visible to read_committed consumers together or never. Needs <c>transactional.id</c> in the config.
/// </summary>
public sealed partial class Producer<TKey, TValue>
{
    private TransactionManager Transactions =>
        _engine.Transactions ?? throw new InvalidOperationException("This producer has no transactional.id: set ProducerConfig.TransactionalId.");

    /// <summary>Registers the transactional id: fences an older producer with the same id and aborts its open transaction.</summary>
    public Task InitTransactionsAsync() => Transactions.InitAsync();

    public void InitTransactions(TimeSpan timeout) => InitTransactionsAsync().WaitAsync(timeout).GetAwaiter().GetResult();

    /// <summary>Opens a transaction: produces until its commit or abort belong to it.</summary>
    public void BeginTransaction() => Transactions.Begin();

    /// <summary>Adds consumed positions (the next offsets to read) of <paramref name="group"/> to the transaction: they commit with it.</summary>
    public Task SendOffsetsToTransactionAsync(IEnumerable<TopicPartitionOffset> offsets, ConsumerGroupMetadata group) => Transactions.SendOffsetsAsync(offsets, group);

    public void SendOffsetsToTransaction(IEnumerable<TopicPartitionOffset> offsets, ConsumerGroupMetadata group, TimeSpan timeout) =>
        SendOffsetsToTransactionAsync(offsets, group).WaitAsync(timeout).GetAwaiter().GetResult();

    /// <summary>Delivers what the transaction produced, then commits it; refused (abort instead) if any of its records failed.</summary>
    public async Task CommitTransactionAsync()
    {
        var transactions = Transactions;
        transactions.RequireInTransaction();
        await FlushAsync().ConfigureAwait(false);
        await transactions.EndAsync(commit: true).ConfigureAwait(false);
    }

    public void CommitTransaction(TimeSpan timeout) => CommitTransactionAsync().WaitAsync(timeout).GetAwaiter().GetResult();

    /// <summary>Aborts the transaction: nothing it produced or sent becomes visible to read_committed consumers.</summary>
    public async Task AbortTransactionAsync()
    {
        var transactions = Transactions;
        transactions.RequireInTransaction();

        // What is queued is sent first: every batch must be in the log before the marker that ends it.
        await FlushAsync().ConfigureAwait(false);
        await transactions.EndAsync(commit: false).ConfigureAwait(false);
    }

    public void AbortTransaction(TimeSpan timeout) => AbortTransactionAsync().WaitAsync(timeout).GetAwaiter().GetResult();
}
