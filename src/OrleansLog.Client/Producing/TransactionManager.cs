using OrleansLog.Groups;
using OrleansLog.Partitions;
using OrleansLog.Producers;
using OrleansLog.Transactions;

namespace OrleansLog.Client.Producing;

/// <summary>
/// A transactional producer's side of its transactions (Kafka's TransactionManager): its producer id and epoch from its
/// transactional id's coordinator, the phase it is in, and the partitions its current transaction has added (each is
/// added before its first batch is sent). A failed batch makes the transaction abortable only; a newer instance
/// (PRODUCER_FENCED) makes the producer unusable for good.
/// <para>Thread-safe: the application thread begins and ends transactions, the sender adds partitions.</para>
/// </summary>
internal sealed class TransactionManager(IGrainFactory grains, string transactionalId, TimeSpan timeout)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<TopicPartition, Task> _added = [];
    private ProducerIdentity? _identity;
    private Phase _phase;
    private string? _abortable;
    private string? _fatal;

    private enum Phase
    {
        Uninitialised,
        Ready,
        InTransaction,
    }

    public string TransactionalId => transactionalId;

    /// <summary>The producer id and epoch, once <see cref="InitAsync"/> ran.</summary>
    public ProducerIdentity? Identity
    {
        get
        {
            lock (_lock)
            {
                return _identity;
            }
        }
    }

    private ITransactionCoordinatorGrain Coordinator => grains.GetGrain<ITransactionCoordinatorGrain>(transactionalId);

    /// <summary>Gets the id's producer id and a new epoch: a previous instance is fenced and its open transaction aborted.</summary>
    public async Task InitAsync()
    {
        RequireUsable();
        var identity = await Guard(() => Coordinator.InitProducerId((int)timeout.TotalMilliseconds)).ConfigureAwait(false);
        lock (_lock)
        {
            _identity = identity;
            _phase = Phase.Ready;
            _added.Clear();
            _abortable = null;
        }
    }

    public void Begin()
    {
        lock (_lock)
        {
            RequireUsable();
            if (_phase != Phase.Ready)
            {
                throw new InvalidOperationException(_phase == Phase.Uninitialised ? "Call InitTransactions before BeginTransaction." : "A transaction is already open: commit or abort it first.");
            }

            _phase = Phase.InTransaction;
            _abortable = null;
        }
    }

    /// <summary>Throws unless a transaction is open: a transactional producer sends records only inside one.</summary>
    public void RequireInTransaction()
    {
        lock (_lock)
        {
            RequireUsable();
            if (_phase != Phase.InTransaction)
            {
                throw new InvalidOperationException("A transactional producer produces only inside a transaction: call BeginTransaction first.");
            }
        }
    }

    /// <summary>Adds <paramref name="partition"/> to the open transaction at the coordinator, once per transaction.</summary>
    public Task EnsureAddedAsync(TopicPartition partition)
    {
        lock (_lock)
        {
            if (_identity is not { } identity)
            {
                throw new InvalidOperationException("The producer has no transactional identity: call InitTransactions.");
            }

            if (!_added.TryGetValue(partition, out var adding) || adding.IsFaulted || adding.IsCanceled)
            {
                adding = Guard(() => Coordinator.AddPartitions(identity, [partition]));
                _added[partition] = adding;
            }

            return adding;
        }
    }

    /// <summary>A batch of the open transaction failed for good: it can only be aborted now.</summary>
    public void BatchFailed(string reason)
    {
        lock (_lock)
        {
            _abortable ??= reason;
        }
    }

    /// <summary>Commits <paramref name="offsets"/> to <paramref name="group"/> as part of the open transaction.</summary>
    public async Task SendOffsetsAsync(IEnumerable<TopicPartitionOffset> offsets, ConsumerGroupMetadata group)
    {
        RequireInTransaction();
        var identity = Identity!.Value;
        await Guard(() => Coordinator.AddGroup(identity, group.GroupId)).ConfigureAwait(false);
        var commit = new CommitOffsetsRequest(null, -1, [.. offsets.Select(o => new CommittedOffset(o.TopicPartition, o.Offset))]);
        var answer = await Guard(() => grains.GetGrain<IConsumerGroupGrain>(group.GroupId).CommitTransactionalOffsets(transactionalId, identity, commit)).ConfigureAwait(false);
        if (answer.Error != ErrorCode.None)
        {
            throw new OrleansLogException(answer.Error, answer.ErrorMessage ?? answer.Error.KafkaName());
        }
    }

    /// <summary>Commits or aborts the open transaction (the caller has flushed it); a commit of a transaction with a failed batch is refused.</summary>
    public async Task EndAsync(bool commit)
    {
        ProducerIdentity identity;
        lock (_lock)
        {
            RequireUsable();
            if (_phase != Phase.InTransaction)
            {
                throw new InvalidOperationException("No transaction is open.");
            }

            if (commit && _abortable is { } reason)
            {
                throw new OrleansLogException(ErrorCode.InvalidTxnState, $"The transaction cannot commit ({reason}): abort it.");
            }

            identity = _identity!.Value;
        }

        await Guard(() => Coordinator.EndTransaction(identity, commit)).ConfigureAwait(false);
        lock (_lock)
        {
            _phase = Phase.Ready;
            _added.Clear();
            _abortable = null;
        }
    }

    private void RequireUsable()
    {
        if (_fatal is { } fatal)
        {
            throw new OrleansLogException(ErrorCode.ProducerFenced, fatal);
        }
    }

    /// <summary>Runs a coordinator call; a fencing answer makes this producer unusable.</summary>
    private async Task<T> Guard<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (OrleansLogException e) when (e.Code is ErrorCode.ProducerFenced or ErrorCode.InvalidProducerEpoch or ErrorCode.InvalidProducerIdMapping)
        {
            lock (_lock)
            {
                _fatal ??= $"This producer was fenced: {e.Message}";
            }

            throw;
        }
    }

    private Task<bool> Guard(Func<Task> call) => Guard(async () =>
    {
        await call().ConfigureAwait(false);
        return true;
    });
}
