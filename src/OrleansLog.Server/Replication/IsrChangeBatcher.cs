using System.Collections.Immutable;
using OrleansLog.Metadata;

namespace OrleansLog.Server.Replication;

/// <summary>
/// Sends the ISR changes of this silo's partition leaders to the coordinator in batches
/// (<see cref="IMetadataGrain.AlterIsrs"/>), as Kafka's brokers send AlterPartition (KIP-497). When a broker of a
/// cluster holding 30,000 partitions stopped, every leader it followed asked to shrink its ISR at once; one call and
/// one write per change kept the coordinator busy for minutes, callers timed out and asked again, and its queue
/// grew past 100,000 calls while brokers' heartbeats waited behind them. Here one batch is in flight per silo and
/// the changes that come meanwhile wait for the next (at most <see cref="MaxBatch"/> each); a partition's newer
/// change replaces its older one still waiting, whose caller gets INVALID_UPDATE_VERSION (it refreshes and decides
/// again, as after any refused change).
/// Thread-safe: the waiting changes are guarded by one lock; the sending runs off every grain's context.
/// </summary>
public sealed class IsrChangeBatcher(IGrainFactory grains)
{
    public const int MaxBatch = 2_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<(string Topic, int Partition), Waiting> _waiting = [];
    private bool _sending;

    private IMetadataGrain Coordinator => grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey);

    /// <summary>Asks for one ISR change (see <see cref="IMetadataGrain.AlterIsr"/>); answered with the batch it goes in.</summary>
    public Task<PartitionLeadership> AlterIsr(string topic, int partition, int leaderEpoch, int partitionEpoch, ImmutableArray<int> isr)
    {
        var waiting = new Waiting(new IsrChange(topic, partition, leaderEpoch, partitionEpoch, isr));
        bool start;
        lock (_lock)
        {
            if (_waiting.Remove((topic, partition), out var replaced))
            {
                replaced.Answer.TrySetException(new OrleansLogException(ErrorCode.InvalidUpdateVersion, $"A newer ISR change of {topic}-{partition} replaced this one before it was sent."));
            }

            _waiting[(topic, partition)] = waiting;
            start = !_sending;
            _sending = true;
        }

        if (start)
        {
            // Off the calling grain's scheduler: the loop outlives the activation that started it.
            _ = Task.Run(SendAsync);
        }

        return waiting.Answer.Task;
    }

    private async Task SendAsync()
    {
        while (true)
        {
            List<Waiting> batch;
            lock (_lock)
            {
                if (_waiting.Count == 0)
                {
                    _sending = false;
                    return;
                }

                batch = [.. _waiting.Values.Take(MaxBatch)];
                foreach (var waiting in batch)
                {
                    _waiting.Remove((waiting.Change.Topic, waiting.Change.Partition));
                }
            }

            try
            {
                var results = await Coordinator.AlterIsrs([.. batch.Select(w => w.Change)]);
                for (var i = 0; i < batch.Count; i++)
                {
                    if (results[i] is { Error: ErrorCode.None, Leadership: { } leadership })
                    {
                        batch[i].Answer.TrySetResult(leadership);
                    }
                    else
                    {
                        batch[i].Answer.TrySetException(new OrleansLogException(results[i].Error, results[i].Message ?? $"The ISR change was refused: {results[i].Error}."));
                    }
                }
            }
            catch (Exception e)
            {
                foreach (var waiting in batch)
                {
                    waiting.Answer.TrySetException(e);
                }
            }
        }
    }

    /// <summary>A change waiting to be sent, and its caller's answer.</summary>
    private sealed class Waiting(IsrChange change)
    {
        public IsrChange Change { get; } = change;

        public TaskCompletionSource<PartitionLeadership> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
