using OrleansLog.Records;
using OrleansLog.Records.Buffers;

namespace OrleansLog.Storage.Logs;

/// <summary>
/// Applies a log's <c>compression.type</c> to a leader's produced batches: batches already in the stored
/// codec pass through untouched (no copy at all when every one does); the others are recompressed by
/// <see cref="RecordBatchRecompressor"/> into a pooled buffer the caller disposes once the append is written.
/// A batch that grows past <c>max.message.bytes</c> in the new codec is MESSAGE_TOO_LARGE, as in Kafka.
/// Stateless and thread-safe.
/// </summary>
internal static class StoredCodec
{
    /// <summary>The batches to store, and the buffer that holds them when they had to be rewritten (else null).</summary>
    public static ReadOnlyMemory<byte> Apply(ReadOnlyMemory<byte> batches, LogConfig config, out PooledBufferWriter? rewritten)
    {
        rewritten = null;
        if (config.Compression is not { } target || AllIn(batches.Span, target))
        {
            return batches;
        }

        rewritten = new PooledBufferWriter(batches.Length);
        try
        {
            var span = batches.Span;
            while (!span.IsEmpty)
            {
                var header = RecordBatchHeader.Read(span);
                var batch = span[..header.SizeInBytes];
                var start = rewritten.WrittenCount;
                if (header.Compression == target)
                {
                    rewritten.Write(batch);
                }
                else
                {
                    RecordBatchRecompressor.Recompress(batch, target, RecordLimits.DefaultMaxUncompressedBytes, rewritten);
                }

                var size = rewritten.WrittenCount - start;
                if (size > config.MaxMessageBytes)
                {
                    throw new OrleansLogException(ErrorCode.MessageTooLarge, $"The record batch is {size} bytes once stored as {target} (compression.type), larger than max.message.bytes {config.MaxMessageBytes}.");
                }

                span = span[header.SizeInBytes..];
            }

            return rewritten.WrittenMemory;
        }
        catch
        {
            rewritten.Dispose();
            rewritten = null;
            throw;
        }
    }

    private static bool AllIn(ReadOnlySpan<byte> batches, CompressionType target)
    {
        while (!batches.IsEmpty)
        {
            var header = RecordBatchHeader.Read(batches);
            if (header.Compression != target)
            {
                return false;
            }

            batches = batches[header.SizeInBytes..];
        }

        return true;
    }
}
