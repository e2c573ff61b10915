namespace OrleansLog.Storage.IO;

/// <summary>
/// Dedicated threads for fdatasync, shared by every log in the process. An fsync blocks its thread for
/// a millisecond or much longer (a disk stall); on the .NET thread pool a few of them at once starve
/// every other work item, and the pool adds threads only slowly, so latency of everything in the
/// process suffers. Here they block their own threads instead.
/// <para>
/// Threads are added on demand, whenever work is queued and none is idle, up to <see cref="MaxCount"/>. The
/// file system merges fdatasyncs of different files that run at the same time into one journal commit, so
/// the rate of partition flushes grows with how many run at once, well past the core count: on this
/// project's 2-core ext4 test machine, write + fdatasync over 1,000 files reached about 6,300/s from 4
/// threads, 13,300/s from 16 and 17,200/s from 64. A thousand partitions each taking a few records a second
/// need that concurrency; one busy partition needs one thread, and then no more are started.
/// </para>
/// <para>
/// An idle thread blocks on a monitor without spinning first: the blocking collection this once used spun in
/// <c>SemaphoreSlim</c> before each wait, which perf put at 4-5% of the broker's CPU at 50,000 msg/s (a flush
/// every few milliseconds wakes a thread that has just gone idle).
/// </para>
/// Thread-safe.
/// </summary>
public static class FlushThreads
{
    /// <summary>The most fdatasyncs in flight at once: past this the journal gains little and threads only cost memory.</summary>
    public const int MaxCount = 64;

    private static readonly object QueueLock = new(); // a monitor, for Wait and Pulse
    private static readonly Queue<(Action<object?> Work, object? State)> Queue = new();
    private static int _started;
    private static int _idle;
    private static int _waiting;

    /// <summary>Threads started so far.</summary>
    public static int Count => Volatile.Read(ref _started);

    public static void Schedule(Action<object?> work, object? state)
    {
        // More work waiting than idle threads to take it: one of them would wait behind a running fsync.
        var waiting = Interlocked.Increment(ref _waiting);
        lock (QueueLock)
        {
            Queue.Enqueue((work, state));
            Monitor.Pulse(QueueLock);
        }

        if (waiting > Volatile.Read(ref _idle))
        {
            StartOneMore();
        }
    }

    private static void StartOneMore()
    {
        int started;
        do
        {
            started = Volatile.Read(ref _started);
            if (started >= MaxCount)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _started, started + 1, started) != started);

        new Thread(Run)
        {
            IsBackground = true,
            Name = $"orleanslog-flush-{started}",
        }.Start();
    }

    private static void Run()
    {
        while (true)
        {
            Interlocked.Increment(ref _idle);
            var (work, state) = Take();
            Interlocked.Decrement(ref _idle);
            Interlocked.Decrement(ref _waiting);
            work(state);
        }
    }

    private static (Action<object?> Work, object? State) Take()
    {
        lock (QueueLock)
        {
            (Action<object?> Work, object? State) item;
            while (!Queue.TryDequeue(out item))
            {
                Monitor.Wait(QueueLock);
            }

            return item;
        }
    }
}
