using System.Buffers;

namespace OrleansLog.Partitions;

/// <summary>
/// Bytes that either belong to whoever made them or sit in an array rented from <see cref="ArrayPool{T}.Shared"/>,
/// which this object owns and hands back with <see cref="Dispose"/>. The ownership the two kinds of record batches
/// that cross the grain boundary share (<see cref="BatchBytes"/> going in, <see cref="FetchedBatches"/> coming out):
/// a batch-sized array per request would land in the large object heap, which only gen2 collections free.
/// </summary>
/// <remarks>
/// Thread-safe: the array is handed back at most once, and reading <see cref="Memory"/> afterwards throws rather than
/// read bytes the pool has since given to someone else.
/// </remarks>
public abstract class RentedBytes : IDisposable
{
    private readonly ReadOnlyMemory<byte> _memory;
    private byte[]? _rented;
    private volatile bool _returned;

    /// <summary>Owns <paramref name="rented"/> (when not null), of which <paramref name="memory"/> is the used part.</summary>
    protected RentedBytes(ReadOnlyMemory<byte> memory, byte[]? rented)
    {
        _memory = memory;
        _rented = rented;
        Length = memory.Length;
    }

    /// <summary>The bytes, back to back.</summary>
    public ReadOnlyMemory<byte> Memory => _returned ? throw new ObjectDisposedException(GetType().Name, "These bytes' pooled array was handed back.") : _memory;

    public ReadOnlySpan<byte> Span => Memory.Span;

    /// <summary>The number of bytes; still known after <see cref="Dispose"/>.</summary>
    public int Length { get; }

    public bool IsEmpty => Length == 0;

    /// <summary>Hands a rented array back to the pool; after this <see cref="Memory"/> throws. Nothing to do for bytes that were not rented.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _rented, null) is { } rented)
        {
            _returned = true;
            ArrayPool<byte>.Shared.Return(rented);
        }

        GC.SuppressFinalize(this);
    }
}
