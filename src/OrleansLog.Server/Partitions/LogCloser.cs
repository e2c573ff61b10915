using System.Collections.Concurrent;

namespace OrleansLog.Server.Partitions;

/// <summary>
/// Runs the closes of released logs on threads of its own, off the silo's thread pool. A clean close syncs several
/// files; when an idle timeout lets thousands of partitions go in one collection pass, closing each on the grain's
/// thread blocked the whole thread pool for seconds, the silo answered no membership probe, and its peers declared
/// it dead (found by the partitions benchmark: 30,000 partitions at RF=3 on three brokers). Closes run in the order
/// they were asked for, on <see cref="Threads"/> threads (two: one close's fsyncs overlap another's).
/// Thread-safe. Disposing runs what was queued (when it has threads), then stops them; after that
/// <see cref="TryEnqueue"/> says no.
/// </summary>
public sealed class LogCloser : IDisposable
{
    public const int Threads = 2;

    private readonly BlockingCollection<Action> _queue = [];
    private readonly Thread[] _threads;
    private int _disposed;

    public LogCloser()
        : this(Threads)
    {
    }

    /// <summary>A closer with <paramref name="threads"/> threads; with none, closes wait for <see cref="RunQueued"/> (tests).</summary>
    public LogCloser(int threads)
    {
        _threads = [.. Enumerable.Range(0, threads).Select(i => new Thread(Run) { IsBackground = true, Name = $"orleanslog-log-closer-{i}" })];
        foreach (var thread in _threads)
        {
            thread.Start();
        }
    }

    /// <summary>Closes queued and not yet run.</summary>
    public int Pending => _queue.Count;

    /// <summary>Queues <paramref name="close"/> (which must not throw); false once the closer is disposed.</summary>
    public bool TryEnqueue(Action close)
    {
        if (Volatile.Read(ref _disposed) == 1)
        {
            return false;
        }

        try
        {
            return _queue.TryAdd(close);
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            // Disposed between the check and the add.
            return false;
        }
    }

    /// <summary>Runs what is queued now on the calling thread (a closer without threads).</summary>
    public void RunQueued()
    {
        while (_queue.TryTake(out var close))
        {
            close();
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _queue.CompleteAdding();
        foreach (var thread in _threads)
        {
            thread.Join();
        }

        _queue.Dispose();
    }

    private void Run()
    {
        foreach (var close in _queue.GetConsumingEnumerable())
        {
            close();
        }
    }
}
