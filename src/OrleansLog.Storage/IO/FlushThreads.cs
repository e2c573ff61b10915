using System.Collections.Concurrent;

namespace OrleansLog.Storage.IO;

/// <summary>
/// Dedicated threads for fdatasync, shared by every log in the process. An fsync blocks its thread for
/// a millisecond or much longer (a disk stall); on the .NET thread pool a few of them at once starve
/// every other work item, and the pool adds threads only slowly, so latency of everything in the
/// process suffers. Here they block their own threads instead. Several threads, so fsyncs of different
/// partitions overlap in the device's queue. Thread-safe.
/// </summary>
public static class FlushThreads
{
    /// <summary>Enough for the device queue of a fast SSD; more would only add contention.</summary>
    public static readonly int Count = Math.Clamp(Environment.ProcessorCount * 2, 4, 16);

    private static readonly BlockingCollection<(Action<object?> Work, object? State)> Queue = Start();

    public static void Schedule(Action<object?> work, object? state) => Queue.Add((work, state));

    private static BlockingCollection<(Action<object?>, object?)> Start()
    {
        var queue = new BlockingCollection<(Action<object?>, object?)>();
        for (var i = 0; i < Count; i++)
        {
            new Thread(() =>
            {
                foreach (var (work, state) in queue.GetConsumingEnumerable())
                {
                    work(state);
                }
            })
            {
                IsBackground = true,
                Name = $"orleanslog-flush-{i}",
            }.Start();
        }

        return queue;
    }
}
