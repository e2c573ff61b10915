using System.Buffers;

namespace OrleansLog.Records.Buffers;

/// <summary>
/// A <see cref="PooledBufferWriter"/> that refuses to grow past <paramref name="maxBytes"/>: it throws before
/// it would hand out or fill more, so a decompressor cannot make it allocate what a hostile payload claims.
/// Not thread-safe.
/// </summary>
public sealed class BoundedBufferWriter(int maxBytes, Func<Exception> tooLarge) : IBufferWriter<byte>, IDisposable
{
    private readonly PooledBufferWriter _inner = new(Math.Min(maxBytes, 64 * 1024));

    public int WrittenCount => _inner.WrittenCount;

    public ReadOnlySpan<byte> WrittenSpan => _inner.WrittenSpan;

    public void Advance(int count)
    {
        Check(count);
        _inner.Advance(count);
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Check(sizeHint);
        return _inner.GetMemory(sizeHint);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Check(sizeHint);
        return _inner.GetSpan(sizeHint);
    }

    public void Dispose() => _inner.Dispose();

    private void Check(int more)
    {
        if ((long)_inner.WrittenCount + Math.Max(more, 0) > maxBytes)
        {
            throw tooLarge();
        }
    }
}
