using System.Collections.Immutable;
using OrleansLog.Partitions;
using OrleansLog.Server.Replication;
using OrleansLog.Storage;

namespace OrleansLog.Server.Partitions;

/// <summary>
/// A leader's answer to one fetch: batches below the high watermark from the asked offset, at most
/// <c>maxBytes</c> and never more than the broker's <c>fetch.max.bytes</c> (but one whole batch unless the
/// fetch says otherwise), waiting up to <c>maxWait</c> for <c>minBytes</c> to gather (Kafka's long poll).
/// Each advance of the high watermark wakes the wait; one timer bounds all of it. When the leadership term
/// ends while it waits, the caller's <c>ended</c> error is the answer. A read_committed fetch reads below the last stable
/// offset only (it moves when the high watermark does, which wakes the wait) and gets the aborted transactions of its range.
/// A cancelled <c>stopWaiting</c> ends the wait as the timer does: the answer is what is there. So does a next batch too
/// large for the limit (without one whole batch): the answer is empty at once, its high watermark past the offset.
/// <para>Concurrency: stateless; it reads the log (thread-safe) and the high watermark, which it must only
/// touch in the owning grain's turns, so it is awaited from one.</para>
/// </summary>
public static class LongPollFetch
{
    public static async Task<FetchResponse> ServeAsync(PartitionLog log, HighWatermark highWatermarkOf, Func<long> lastStableOffsetOf, FetchRequest request, int fetchMaxBytes, TimeProvider time, Func<OrleansLogException> ended, CancellationToken stopWaiting = default)
    {
        var committed = request.Isolation == IsolationLevel.ReadCommitted;
        if (request.MaxBytes <= 0)
        {
            return Failed(new OrleansLogException(ErrorCode.InvalidFetchSize, $"maxBytes={request.MaxBytes} must be positive."), highWatermarkOf.Value, log.LogStartOffset);
        }

        var maxBytes = Math.Min(request.MaxBytes, fetchMaxBytes);

        // One timer for the whole wait, however often the high watermark wakes this fetch.
        var timeout = stopWaiting.IsCancellationRequested ? Task.CompletedTask : WaitOrStop(TimeSpan.FromMilliseconds(Math.Max(request.MaxWaitMs, 0)), time, stopWaiting);
        while (true)
        {
            var highWatermark = highWatermarkOf.Value;
            var lastStable = lastStableOffsetOf();
            var bound = committed ? lastStable : highWatermark;
            var changed = highWatermarkOf.NextChange;
            if (request.Offset < log.LogStartOffset || request.Offset > log.LogEndOffset)
            {
                return Failed(
                    new OrleansLogException(ErrorCode.OffsetOutOfRange, $"Offset {request.Offset} is outside [{log.LogStartOffset}, {log.LogEndOffset}] in {log.Directory}."),
                    highWatermark,
                    log.LogStartOffset);
            }

            if (request.Offset < bound)
            {
                // Read into a buffer the answer takes over, so no batch is copied twice: a pooled one when the caller
                // promised to hand it back or to read the answer only as written to it (see FetchedBatches), else one
                // of the answer's own.
                var pooled = request.CallerReturnsBuffer || request.PooledUntilWritten;
                using var read = log.Read(request.Offset, maxBytes, maxOffset: bound, request.MinOneBatch, owned: !pooled);

                // Nothing read below the bound: the next batch is larger than the limit (without MinOneBatch), and
                // waiting cannot make it fit, so the caller hears at once that there is more than it could take.
                if (read.Length >= request.MinBytes || read.Length == 0 || timeout.IsCompleted)
                {
                    var aborted = committed && read.Length > 0 ? AbortedIn(log, request.Offset, read.NextOffset) : default;
                    return new FetchResponse(ErrorCode.None, Batches(read, request.PooledUntilWritten), highWatermark, read.LogStartOffset, read.Length > 0 ? read.NextOffset : request.Offset, null, lastStable, aborted);
                }
            }

            if (timeout.IsCompleted)
            {
                return new FetchResponse(ErrorCode.None, FetchedBatches.Empty, highWatermark, log.LogStartOffset, request.Offset, null, lastStable);
            }

            await Task.WhenAny(changed, timeout);
            if (highWatermarkOf.IsClosed)
            {
                return Failed(ended(), -1, -1);
            }
        }
    }

    /// <summary>The read's batches for the answer, which takes over its buffer.</summary>
    private static FetchedBatches Batches(LogReadResult read, bool returnWhenWritten)
    {
        var length = read.Length;
        return read.TakeBuffer() is not { } buffer ? FetchedBatches.Empty
            : read.IsPooled ? FetchedBatches.OfRented(buffer, length, returnWhenWritten)
            : FetchedBatches.Of(buffer.AsMemory(0, length));
    }

    /// <summary>Completes (never faults) when <paramref name="wait"/> has passed or <paramref name="stopWaiting"/> is cancelled.</summary>
    private static Task WaitOrStop(TimeSpan wait, TimeProvider time, CancellationToken stopWaiting) =>
        Task.Delay(wait, time, stopWaiting).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>The aborted transactions a read of <c>[from, to)</c> overlaps (Kafka's aborted_transactions of a fetch).</summary>
    private static ImmutableArray<AbortedTransaction> AbortedIn(PartitionLog log, long from, long to)
    {
        var entries = log.CollectAbortedTransactions(from, to);
        return entries.Count == 0 ? [] : [.. entries.Select(e => new AbortedTransaction(e.ProducerId, e.FirstOffset))];
    }

    public static FetchResponse Failed(OrleansLogException error, long highWatermark, long logStartOffset) =>
        new(error.Code, FetchedBatches.Empty, highWatermark, logStartOffset, -1, error.Message);
}
