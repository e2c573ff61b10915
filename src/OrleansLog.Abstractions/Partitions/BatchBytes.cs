using System.Buffers;

namespace OrleansLog.Partitions;

/// <summary>
/// Record batches sent to a broker to be written (a produce, a leader's push to a follower), as bytes. A sender holds
/// its own bytes (<see cref="Of"/>; nothing is ever handed back for them). A broker that receives them from another
/// process reads them into an array rented from <see cref="ArrayPool{T}.Shared"/> (<see cref="BatchBytesCodec"/>),
/// and the grain that writes them hands it back with <see cref="RentedBytes.Dispose"/> once they are in its log: so a produce of
/// a batch larger than 85,000 bytes costs the broker no array in the large object heap, which only gen2
/// collections free (at 50,000 msg/s of 1 KiB they were about 130 gen2 collections in 30 s).
/// </summary>
/// <remarks>
/// Only the receiving grain disposes, after its last read of <see cref="RentedBytes.Memory"/>: a request is deserialized once, for
/// the one grain call it carries, and nothing else in the broker keeps it (an unanswered or forwarded request is left
/// to the garbage collector, which is only a missed reuse). Thread-safe: the array is handed back at most once, and
/// reading <see cref="RentedBytes.Memory"/> afterwards throws (<see cref="RentedBytes"/>).
/// </remarks>
[Immutable]
public sealed class BatchBytes : RentedBytes
{
    private BatchBytes(ReadOnlyMemory<byte> memory, byte[]? rented)
        : base(memory, rented)
    {
    }

    /// <summary>No batches.</summary>
    public static BatchBytes Empty { get; } = new(ReadOnlyMemory<byte>.Empty, null);

    /// <summary>Bytes of the sender's own.</summary>
    public static BatchBytes Of(ReadOnlyMemory<byte> bytes) => bytes.IsEmpty ? Empty : new(bytes, null);

    /// <summary>The first <paramref name="length"/> bytes of an array rented from <see cref="ArrayPool{T}.Shared"/>, which this object now owns.</summary>
    public static BatchBytes OfRented(byte[] rented, int length)
    {
        ArgumentNullException.ThrowIfNull(rented);
        return new(rented.AsMemory(0, length), rented);
    }

    public static implicit operator BatchBytes(ReadOnlyMemory<byte> bytes) => Of(bytes);

    public static implicit operator BatchBytes(byte[] bytes) => Of(bytes);

    public static implicit operator ReadOnlyMemory<byte>(BatchBytes bytes) => bytes?.Memory ?? ReadOnlyMemory<byte>.Empty;

    public override string ToString() => $"{Length} bytes of record batches";
}
