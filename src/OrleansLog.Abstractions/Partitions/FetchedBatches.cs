using System.Buffers;

namespace OrleansLog.Partitions;

/// <summary>
/// The record batches of a fetch answer, as stored. On a broker they sit in an array rented from
/// <see cref="ArrayPool{T}.Shared"/> by the log read; <see cref="FetchedBatchesCodec"/> returns it once it has written
/// them to the caller's connection, and a caller in the same silo (the Kafka listener) gets the object itself and
/// returns it with <see cref="Dispose"/> once it has written its own answer. So a fetch costs the broker no array of
/// its size (they were arrays of up to a megabyte per fetch, in the large object heap, collected only by gen2
/// collections). What a caller on another process receives is an array of its own that nothing returns.
/// </summary>
/// <remarks>
/// Only answers are pooled this way: Orleans writes an answer once, while a request may be written again when it is
/// forwarded to another silo. Thread-safe: the array is handed back at most once, by whichever of the codec and
/// <see cref="Dispose"/> comes first; reading <see cref="Memory"/> afterwards throws rather than read another
/// fetch's bytes.
/// </remarks>
[Immutable]
public sealed class FetchedBatches : IDisposable
{
    private readonly ReadOnlyMemory<byte> _memory;
    private byte[]? _rented;
    private volatile bool _returned;

    private FetchedBatches(ReadOnlyMemory<byte> memory, byte[]? rented)
    {
        _memory = memory;
        _rented = rented;
        Length = memory.Length;
    }

    /// <summary>No batches.</summary>
    public static FetchedBatches Empty { get; } = new(ReadOnlyMemory<byte>.Empty, null);

    /// <summary>The bytes, back to back.</summary>
    public ReadOnlyMemory<byte> Memory => _returned ? throw new ObjectDisposedException(nameof(FetchedBatches), "These batches' pooled array was handed back.") : _memory;

    public int Length { get; }

    /// <summary>Bytes of the caller's own (nothing is returned anywhere).</summary>
    public static FetchedBatches Of(ReadOnlyMemory<byte> bytes) => bytes.IsEmpty ? Empty : new(bytes, null);

    /// <summary>The first <paramref name="length"/> bytes of an array rented from <see cref="ArrayPool{T}.Shared"/>, which this object now owns.</summary>
    public static FetchedBatches OfRented(byte[] rented, int length)
    {
        ArgumentNullException.ThrowIfNull(rented);
        return new(rented.AsMemory(0, length), rented);
    }

    /// <summary>Hands a rented array back to the pool; after this <see cref="Memory"/> throws. Nothing to do for bytes that were not rented.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _rented, null) is { } rented)
        {
            _returned = true;
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
