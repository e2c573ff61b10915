using OrleansLog.Storage.IO;
using OrleansLog.Testing;

namespace OrleansLog.Storage.Tests;

/// <summary>The flush threads: as many fdatasyncs at once as there are partitions waiting, up to the bound.</summary>
public sealed class FlushThreadsTests
{
    [Fact]
    public async Task Flushes_queued_while_every_thread_is_busy_run_at_once_on_threads_started_for_them()
    {
        // More than the 4 threads the pool once had: each blocks like an fdatasync until released.
        const int Blocked = 12;
        using var release = new ManualResetEventSlim();
        var running = 0;
        using var finished = new CountdownEvent(Blocked);
        for (var i = 0; i < Blocked; i++)
        {
            FlushThreads.Schedule(
                _ =>
                {
                    Interlocked.Increment(ref running);
                    release.Wait();
                    finished.Signal();
                },
                null);
        }

        try
        {
            await Wait.Until(() => Volatile.Read(ref running) == Blocked, $"{Blocked} blocked flushes running at once");
            Assert.InRange(FlushThreads.Count, Blocked, FlushThreads.MaxCount);
        }
        finally
        {
            release.Set();
            Assert.True(finished.Wait(TimeSpan.FromSeconds(30)));
        }
    }
}
