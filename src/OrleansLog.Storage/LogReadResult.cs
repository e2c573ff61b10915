using System.Buffers;

namespace OrleansLog.Storage;

/// <summary>
/// Whole record batches read from a log, as stored, in a pooled buffer that <see cref="Dispose"/>
/// returns, or (read with <c>owned: true</c>) in a buffer of the caller's own that may outlive the result.
/// The first batch contains the requested offset (it may start before it, as in Kafka).
/// </summary>
public sealed class LogReadResult : IDisposable
{
    private readonly bool _pooled;
    private byte[]? _buffer;

    internal LogReadResult(byte[]? buffer, int length, long logStartOffset, long logEndOffset, long nextOffset, bool pooled = true)
    {
        _buffer = buffer;
        _pooled = pooled;
        Length = length;
        LogStartOffset = logStartOffset;
        LogEndOffset = logEndOffset;
        NextOffset = nextOffset;
    }

    /// <summary>The batches, back to back; empty when nothing is at or after the requested offset yet.</summary>
    public ReadOnlyMemory<byte> Records => _buffer is null ? ReadOnlyMemory<byte>.Empty : _buffer.AsMemory(0, Length);

    public int Length { get; }

    public long LogStartOffset { get; }

    public long LogEndOffset { get; }

    /// <summary>The offset after the last batch returned: where the next read continues.</summary>
    public long NextOffset { get; }

    /// <summary>
    /// Hands the buffer over: the caller now owns it (a pooled one goes back to <see cref="ArrayPool{T}.Shared"/> by the
    /// caller's hand; see <see cref="IsPooled"/>), and <see cref="Dispose"/> does nothing. Null when nothing was read.
    /// </summary>
    public byte[]? TakeBuffer() => Interlocked.Exchange(ref _buffer, null);

    /// <summary>Whether the buffer was rented from <see cref="ArrayPool{T}.Shared"/>.</summary>
    public bool IsPooled => _pooled;

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null && _pooled)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
