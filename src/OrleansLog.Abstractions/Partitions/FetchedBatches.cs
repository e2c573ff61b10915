using System.Buffers;

namespace OrleansLog.Partitions;

/// <summary>
/// The record batches of a fetch answer, as stored: for a caller in the broker's own silo that promised to hand them
/// back (<see cref="FetchRequest.CallerReturnsBuffer"/>: the Kafka listener), in the log read's array rented from
/// <see cref="ArrayPool{T}.Shared"/>, which that caller gets itself (no copy) and returns with <see cref="RentedBytes.Dispose"/>
/// once its own answer is on the socket. So a Kafka fetch costs the broker no array of its size (they were arrays of
/// up to a megabyte per fetch, in the large object heap, collected only by gen2 collections). For a caller that reads
/// the answer only as written to its connection (<see cref="FetchRequest.PooledUntilWritten"/>: the native client) the
/// array is rented too and goes back once <see cref="FetchedBatchesCodec"/> has written it. Every other answer holds an
/// array of its own, and a caller on another process receives one of its own.
/// </summary>
/// <remarks>
/// Only answers to a caller that promised so go back when written: across a connection the native client parses its
/// own copy, and in the broker's own silo (a Connect worker) it gets the answer by reference, never written, so never
/// handed back. (An earlier version handed back every pooled answer once written and was withdrawn because
/// PostgresCdcTests failed in 3 of 5 runs; that test failed the same way without any pooling, from a PostgreSQL source
/// that took a second snapshot after a restart, since fixed.)
/// Handing back is <see cref="RentedBytes"/>'s: at most once, and reading afterwards throws.
/// </remarks>
[Immutable]
public sealed class FetchedBatches : RentedBytes
{
    private FetchedBatches(ReadOnlyMemory<byte> memory, byte[]? rented, bool returnWhenWritten)
        : base(memory, rented)
    {
        ReturnsWhenWritten = returnWhenWritten;
    }

    /// <summary>No batches.</summary>
    public static FetchedBatches Empty { get; } = new(ReadOnlyMemory<byte>.Empty, null, false);

    /// <summary>Whether writing the batches to the caller's connection hands the rented array back (<see cref="FetchRequest.PooledUntilWritten"/>).</summary>
    public bool ReturnsWhenWritten { get; }

    /// <summary>Bytes of the caller's own (nothing is returned anywhere).</summary>
    public static FetchedBatches Of(ReadOnlyMemory<byte> bytes) => bytes.IsEmpty ? Empty : new(bytes, null, false);

    /// <summary>
    /// The first <paramref name="length"/> bytes of an array rented from <see cref="ArrayPool{T}.Shared"/>, which this
    /// object now owns: handed back by <see cref="RentedBytes.Dispose"/>, or, with <paramref name="returnWhenWritten"/>, once written.
    /// </summary>
    public static FetchedBatches OfRented(byte[] rented, int length, bool returnWhenWritten = false)
    {
        ArgumentNullException.ThrowIfNull(rented);
        return new(rented.AsMemory(0, length), rented, returnWhenWritten);
    }
}
