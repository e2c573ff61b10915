using OrleansLog.Client.Internal;
using OrleansLog.Partitions;
using OrleansLog.Records;
using OrleansLog.Records.Buffers;

namespace OrleansLog.Client.Producing;

/// <summary>
/// The untyped producer: the <see cref="RecordAccumulator"/> callers write to, the
/// <see cref="ProducerSender"/> that delivers its batches, and the topic metadata both use. It owns their
/// lifetime: closing flushes what is queued (up to the delivery timeout), stops the sender, and fails what
/// is left. Thread-safe.
/// </summary>
internal sealed class ProducerEngine : IAsyncDisposable
{
    private readonly RecordAccumulator _accumulator;
    private readonly ProducerSender _sender;
    private volatile bool _closed;

    public ProducerEngine(IGrainFactory grains, ProducerConfig config, TimeProvider time, GatewayLossWatch? gateways = null)
    {
        Config = config;
        Metadata = new TopicMetadataCache(topic => grains.GetGrain<Topics.ITopicGrain>(topic).GetMetadata(), config.MetadataMaxAge, time, config.MaxBlock);
        _accumulator = new RecordAccumulator(config, time);
        Transactions = config.TransactionalId is { } transactionalId ? new TransactionManager(grains, transactionalId, config.TransactionTimeout) : null;
        _sender = new ProducerSender(grains, config, time, _accumulator, Metadata, gateways, Transactions);
    }

    public ByteBudget Memory => _accumulator.Memory;

    public TopicMetadataCache Metadata { get; }

    public ProducerConfig Config { get; }

    /// <summary>The transactions of a producer with <c>transactional.id</c>; null otherwise.</summary>
    public TransactionManager? Transactions { get; }

    /// <summary>Records queued or in flight.</summary>
    public int PendingRecords => _accumulator.PendingRecords;

    /// <inheritdoc cref="RecordAccumulator.StickyPartitionFor"/>
    public int StickyPartitionFor(string topic, int partitionCount) => _accumulator.StickyPartitionFor(topic, partitionCount);

    /// <inheritdoc cref="RecordAccumulator.Append"/>
    public void Append(TopicPartition partition, long timestamp, ReadOnlySpan<byte> key, bool hasKey, ReadOnlySpan<byte> value, bool hasValue, ReadOnlySpan<RecordHeader> headers, int reservedBytes, IDeliveryHandle handle) =>
        _accumulator.Append(partition, timestamp, key, hasKey, value, hasValue, headers, reservedBytes, handle);

    /// <summary>Completes when every record queued before the call is delivered or failed.</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default) => _accumulator.FlushAsync(cancellationToken);

    /// <summary>Delivers what is queued (up to the delivery timeout), then stops the sender; later records are refused.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        try
        {
            await FlushAsync().WaitAsync(Config.DeliveryTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        _accumulator.Close();
        await _sender.Stopped.ConfigureAwait(false);
        _accumulator.FailQueuedAndRelease("The producer was closed before this record was delivered.");
    }
}
