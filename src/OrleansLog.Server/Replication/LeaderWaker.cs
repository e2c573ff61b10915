using Microsoft.Extensions.Logging;
using OrleansLog.Metadata;
using OrleansLog.Partitions;

namespace OrleansLog.Server.Replication;

/// <summary>
/// Starts this broker's leaders that the coordinator asked to run (a new leader, or one whose returning follower
/// must be caught up), a few at a time. When a broker of a 30,000-partition cluster came back, the coordinator
/// activated the 20,000 leaders it follows in one go: their links then called the returning broker all at once,
/// its silo stalled, and its peers declared it dead before it was ready. Here at most <see cref="Concurrency"/>
/// activations are under way per silo; a partition asked for twice is started once, with the newer topic state.
/// When the silo stops, what is still queued is dropped: those leaders are being moved to other brokers.
/// Thread-safe: the queue is guarded by one lock, and the workers run on the thread pool.
/// </summary>
public sealed partial class LeaderWaker(IGrainFactory grains, TimeProvider time, ILogger<LeaderWaker> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public const int Concurrency = 8;

    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private readonly Dictionary<TopicPartition, TopicDescription> _waiting = [];
    private readonly Queue<TopicPartition> _order = new();
    private int _workers;
    private bool _stopped;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(LeaderWaker), ServiceLifecycleStage.Active, _ => Task.CompletedTask, Stop);

    /// <summary>Partitions queued and not yet started.</summary>
    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>Queues the leader of <paramref name="partition"/> to start with <paramref name="topic"/> (the newest state asked for wins).</summary>
    public void Wake(TopicPartition partition, TopicDescription topic)
    {
        bool start;
        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }

            if (!_waiting.TryAdd(partition, topic))
            {
                _waiting[partition] = topic;
                return;
            }

            _order.Enqueue(partition);
            start = _workers < Concurrency;
            if (start)
            {
                _workers++;
            }
        }

        if (start)
        {
            _ = Task.Run(RunWorker);
        }
    }

    private Task Stop(CancellationToken cancellationToken)
    {
        int dropped;
        lock (_lock)
        {
            _stopped = true;
            dropped = _waiting.Count;
            _waiting.Clear();
            _order.Clear();
        }

        if (dropped > 0)
        {
            LogDropped(dropped);
        }

        return Task.CompletedTask;
    }

    private async Task RunWorker()
    {
        while (true)
        {
            TopicPartition partition;
            TopicDescription topic;
            lock (_lock)
            {
                if (_stopped || !_order.TryDequeue(out partition))
                {
                    _workers--;
                    return;
                }

                _waiting.Remove(partition, out topic!);
            }

            try
            {
                // A first call may reach an older activation elsewhere (a deposed leader that has not left yet),
                // which steps down; the second then starts this broker's own.
                var grain = grains.GetPartitionGrain(partition.Topic, partition.Partition);
                if (!await grain.Refresh(topic).WaitAsync(CallTimeout, time))
                {
                    await grain.Refresh(topic).WaitAsync(CallTimeout, time);
                }
            }
            catch (Exception e)
            {
                // The partition starts when a client or the coordinator's next change asks for it.
                LogWakeFailed(partition.DirectoryName, e.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Partition}: could not start its leader ({Message}); it starts at the next request.")]
    private partial void LogWakeFailed(string partition, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "The silo stops: {Count} leader(s) queued to start were not started.")]
    private partial void LogDropped(int count);
}
