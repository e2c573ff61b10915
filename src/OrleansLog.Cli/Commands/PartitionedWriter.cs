using OrleansLog.Partitions;
using OrleansLog.Storage.Format;

namespace OrleansLog.Cli.Commands;

/// <summary>
/// Batches records per partition and sends each full batch to its partition grain, keeping one batch per
/// partition in flight (so order within a partition holds) while partitions proceed in parallel.
/// </summary>
internal sealed class PartitionedWriter(IGrainFactory grains, string topic, int partitionCount, CompressionType codec, short acks)
{
    private readonly RecordBatchBuilder?[] _builders = new RecordBatchBuilder?[partitionCount];
    private readonly Task?[] _inFlight = new Task?[partitionCount];

    /// <summary>Adds a record; returns true when it filled the partition's batch and the batch was sent.</summary>
    public async Task<bool> AddAsync(int partition, byte[]? key, byte[] value, int batchBytes)
    {
        var builder = _builders[partition] ??= new RecordBatchBuilder(codec, batchBytes);
        builder.Add(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), key, value);
        if (builder.UncompressedSizeInBytes < batchBytes)
        {
            return false;
        }

        await SendAsync(partition);
        return true;
    }

    public async Task FlushAsync()
    {
        for (var p = 0; p < _builders.Length; p++)
        {
            if (_builders[p] is { RecordCount: > 0 })
            {
                await SendAsync(p);
            }
        }

        foreach (var task in _inFlight)
        {
            if (task is not null)
            {
                await task;
            }
        }
    }

    private async Task SendAsync(int partition)
    {
        if (_inFlight[partition] is { } previous)
        {
            await previous;
        }

        var builder = _builders[partition]!;
        var batch = builder.Build().ToArray();
        builder.Reset();
        var grain = grains.GetPartitionGrain(topic, partition);
        _inFlight[partition] = Send(grain, batch);
    }

    private async Task Send(IPartitionGrain grain, byte[] batch)
    {
        var response = await grain.Produce(new ProduceRequest(batch, acks));
        if (response.Error != ErrorCode.None)
        {
            throw new OrleansLogException(response.Error, response.ErrorMessage ?? response.Error.KafkaName());
        }
    }
}
