using OrleansLog.Partitions;
using OrleansLog.Server.Replication;
using OrleansLog.Storage;

namespace OrleansLog.Server.Partitions;

/// <summary>
/// A leader's answer to one fetch: batches below the high watermark from the asked offset, at most
/// <c>maxBytes</c> and never more than the broker's <c>fetch.max.bytes</c> (but one whole batch unless the
/// fetch says otherwise), waiting up to <c>maxWait</c> for <c>minBytes</c> to gather (Kafka's long poll).
/// Each advance of the high watermark wakes the wait; one timer bounds all of it. When the leadership term
/// ends while it waits, the caller's <c>ended</c> error is the answer.
/// <para>Concurrency: stateless; it reads the log (thread-safe) and the high watermark, which it must only
/// touch in the owning grain's turns, so it is awaited from one.</para>
/// </summary>
public static class LongPollFetch
{
    public static async Task<FetchResponse> ServeAsync(PartitionLog log, HighWatermark highWatermarkOf, FetchRequest request, int fetchMaxBytes, TimeProvider time, Func<OrleansLogException> ended)
    {
        if (request.MaxBytes <= 0)
        {
            return Failed(new OrleansLogException(ErrorCode.InvalidFetchSize, $"maxBytes={request.MaxBytes} must be positive."), highWatermarkOf.Value, log.LogStartOffset);
        }

        var maxBytes = Math.Min(request.MaxBytes, fetchMaxBytes);

        // One timer for the whole wait, however often the high watermark wakes this fetch.
        var timeout = Task.Delay(TimeSpan.FromMilliseconds(Math.Max(request.MaxWaitMs, 0)), time);
        while (true)
        {
            var highWatermark = highWatermarkOf.Value;
            var changed = highWatermarkOf.NextChange;
            if (request.Offset < log.LogStartOffset || request.Offset > log.LogEndOffset)
            {
                return Failed(
                    new OrleansLogException(ErrorCode.OffsetOutOfRange, $"Offset {request.Offset} is outside [{log.LogStartOffset}, {log.LogEndOffset}] in {log.Directory}."),
                    highWatermark,
                    log.LogStartOffset);
            }

            if (request.Offset < highWatermark)
            {
                // Read into a buffer of the answer's own (the response outlives this call), so no batch is copied twice.
                using var read = log.Read(request.Offset, maxBytes, maxOffset: highWatermark, request.MinOneBatch, owned: true);
                if (read.Length >= request.MinBytes || timeout.IsCompleted)
                {
                    return new FetchResponse(ErrorCode.None, read.Records, highWatermark, read.LogStartOffset, read.Length > 0 ? read.NextOffset : request.Offset);
                }
            }

            if (timeout.IsCompleted)
            {
                return new FetchResponse(ErrorCode.None, ReadOnlyMemory<byte>.Empty, highWatermark, log.LogStartOffset, request.Offset);
            }

            await Task.WhenAny(changed, timeout);
            if (highWatermarkOf.IsClosed)
            {
                return Failed(ended(), -1, -1);
            }
        }
    }

    public static FetchResponse Failed(OrleansLogException error, long highWatermark, long logStartOffset) =>
        new(error.Code, ReadOnlyMemory<byte>.Empty, highWatermark, logStartOffset, -1, error.Message);
}
