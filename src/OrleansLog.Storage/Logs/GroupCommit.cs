using OrleansLog.Records;
using OrleansLog.Storage.IO;

namespace OrleansLog.Storage.Logs;

/// <summary>
/// Durability for one partition log (FASTER's commit, as opposed to enqueue): callers ask for every
/// offset below some offset to be durable, and those that ask while an fdatasync runs share the next one.
/// The fsync itself is the log's (<c>flushActiveSegment</c>, which reports what it made durable through
/// <see cref="MarkFlushed"/> while it still holds its files); this class decides when it runs and on which
/// thread, wakes the waiters, and runs the <c>flush.ms</c> timer. A failure fences the log (see
/// <see cref="LogFence"/>) and fails every waiter.
/// <para>Thread-safe: its state changes under one gate; waiters are completed outside it.</para>
/// </summary>
internal sealed class GroupCommit : IDisposable
{
    private readonly Lock _gate = new();
    private readonly LogFence _fence;
    private readonly Action _flushActiveSegment;
    private readonly Func<long> _logEndOffset;
    private readonly TimeProvider _time;
    private TaskCompletionSource? _nextFlush;
    private bool _running;
    private long _flushedOffset;
    private ITimer? _timer;

    public GroupCommit(LogFence fence, Action flushActiveSegment, Func<long> logEndOffset, TimeProvider time, long flushedOffset)
    {
        _fence = fence;
        _flushActiveSegment = flushActiveSegment;
        _logEndOffset = logEndOffset;
        _time = time;
        _flushedOffset = flushedOffset;
    }

    /// <summary>Every offset below this is durable on disk.</summary>
    public long FlushedOffset => Volatile.Read(ref _flushedOffset);

    /// <summary>
    /// Completes once every offset below <paramref name="offset"/> is durable. By default the fsync runs on a
    /// <see cref="FlushThreads"/> thread, so the caller (a grain turn) is never blocked and can accept more
    /// appends meanwhile; waiters resume on the flushing thread. With <paramref name="flushOnCallingThread"/>
    /// a caller that finds no flush running performs the fdatasync itself and saves that hop: right for a
    /// dedicated writer thread, wrong for a grain.
    /// </summary>
    public ValueTask FlushAsync(long offset, bool flushOnCallingThread)
    {
        TaskCompletionSource waiters;
        lock (_gate)
        {
            _fence.ThrowIfFenced();
            if (_flushedOffset >= offset)
            {
                return ValueTask.CompletedTask;
            }

            // Waiters resume on the flushing thread (no second hop). A waiter that appends again just joins
            // the next flush; grain continuations are posted to their own scheduler anyway.
            waiters = _nextFlush ??= new TaskCompletionSource();
            if (_running)
            {
                return new ValueTask(waiters.Task);
            }

            _running = true;
            if (!flushOnCallingThread)
            {
                FlushThreads.Schedule(static commit => ((GroupCommit)commit!).ContinueFlushing(inline: false), this);
                return new ValueTask(waiters.Task);
            }

            _nextFlush = null;
        }

        FlushOnce(waiters);
        ContinueFlushing(inline: true);
        return new ValueTask(waiters.Task);
    }

    /// <summary>Called by the log's flush, under its file lock: everything below <paramref name="offset"/> is now durable.</summary>
    public void MarkFlushed(long offset)
    {
        lock (_gate)
        {
            _flushedOffset = Math.Max(_flushedOffset, offset);
        }
    }

    /// <summary>After a truncation: what was cut off is no longer durable data of this log.</summary>
    public void Lower(long offset)
    {
        lock (_gate)
        {
            _flushedOffset = Math.Min(_flushedOffset, offset);
        }
    }

    /// <summary>After the log was emptied and restarted at <paramref name="offset"/>.</summary>
    public void Reset(long offset)
    {
        lock (_gate)
        {
            _flushedOffset = offset;
        }
    }

    /// <summary>(Re)starts the <c>flush.ms</c> timer; <see cref="int.MaxValue"/> or more turns it off.</summary>
    public void ScheduleTimer(long flushMs)
    {
        _timer?.Dispose();
        _timer = null;
        if (flushMs < int.MaxValue)
        {
            var interval = TimeSpan.FromMilliseconds(Math.Max(flushMs, 1));
            _timer = _time.CreateTimer(static state => ((GroupCommit)state!).FlushOnTimer(), this, interval, interval);
        }
    }

    /// <summary>Stops the timer and fails whoever still waits for a flush (the log is closing).</summary>
    public void Dispose()
    {
        _timer?.Dispose();
        TaskCompletionSource? abandoned;
        lock (_gate)
        {
            abandoned = _nextFlush;
            _nextFlush = null;
        }

        abandoned?.TrySetException(_fence.Error());
    }

    /// <summary>
    /// Runs the flushes that callers queued while one was in progress. Called inline after a caller's own
    /// flush: if nobody is waiting it just stops; otherwise the rest moves to a flush thread so that
    /// caller is not held hostage by later writers.
    /// </summary>
    private void ContinueFlushing(bool inline)
    {
        while (true)
        {
            TaskCompletionSource? waiters;
            bool stop;
            lock (_gate)
            {
                waiters = _nextFlush;
                stop = waiters is null || _fence.IsFenced;
                if (stop)
                {
                    _nextFlush = null;
                    _running = false;
                }
                else if (inline)
                {
                    FlushThreads.Schedule(static commit => ((GroupCommit)commit!).ContinueFlushing(inline: false), this);
                    return;
                }
                else
                {
                    _nextFlush = null;
                }
            }

            if (stop)
            {
                // Outside the gate: waiters resume on this thread and may call back into the log.
                waiters?.TrySetException(_fence.Error());
                return;
            }

            FlushOnce(waiters!);
        }
    }

    private void FlushOnce(TaskCompletionSource waiters)
    {
        try
        {
            _flushActiveSegment();
            waiters.TrySetResult();
        }
        catch (Exception e) when (LogFence.IsStorageFailure(e) || e is ObjectDisposedException)
        {
            waiters.TrySetException(_fence.FenceWith(e));
        }
        catch (OrleansLogException e)
        {
            // No handle to flush through (the process is out of them): nothing failed on disk, so the log stays
            // online; these waiters fail retriably and the next flush covers the same writes.
            waiters.TrySetException(e);
        }
    }

    private void FlushOnTimer()
    {
        var end = _logEndOffset();
        if (end > FlushedOffset && !_fence.IsFenced)
        {
            _ = FlushAsync(end, flushOnCallingThread: false).AsTask().ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
        }
    }
}
