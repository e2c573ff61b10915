using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Orleans.Serialization.Buffers;
using Orleans.Serialization.Codecs;
using Orleans.Serialization.Cloning;
using Orleans.Serialization.Serializers;
using Orleans.Serialization.WireProtocol;

namespace OrleansLog.Partitions;

/// <summary>
/// Writes <see cref="FetchedBatches"/> as length-prefixed bytes (as Orleans writes a byte array); reads them into an
/// array rented from <see cref="ArrayPool{T}.Shared"/> that the receiver owns: a receiver that is done with them hands it
/// back with <see cref="RentedBytes.Dispose"/> (the native consumer once it has decoded the batches, the Kafka listener
/// once its answer is written), and one that never does leaves it to the garbage collector, as before. Fetch answers are
/// up to a megabyte, so a new array per answer landed in the receiver's large object heap: the benchmark's native
/// consumer ran one gen2 collection a second from them. Once written, it hands back the rented array of an answer whose
/// caller promised to read it only as written (<see cref="FetchedBatches.ReturnsWhenWritten"/>), and no other. Stateless.
/// </summary>
[RegisterSerializer]
public sealed class FetchedBatchesCodec : IFieldCodec<FetchedBatches>
{
    public void WriteField<TBufferWriter>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, [AllowNull] Type expectedType, [AllowNull] FetchedBatches value)
        where TBufferWriter : IBufferWriter<byte>
    {
        // An answer built without batches (null) is written as none.
        value ??= FetchedBatches.Empty;
        BatchWire.Write(ref writer, fieldIdDelta, expectedType, typeof(FetchedBatches), value.Memory.Span);
        if (value.ReturnsWhenWritten)
        {
            value.Dispose();
        }
    }

    public FetchedBatches ReadValue<TInput>(ref Reader<TInput> reader, Field field)
    {
        var length = BatchWire.ReadLength(ref reader, field);
        if (length == 0)
        {
            return FetchedBatches.Empty;
        }

        var rented = ArrayPool<byte>.Shared.Rent(length);
        reader.ReadBytes(rented.AsSpan(0, length));
        return FetchedBatches.OfRented(rented, length);
    }
}

/// <summary>No copy: the batches are immutable, and the caller in the same silo that promised to return a rented array gets it.</summary>
[RegisterCopier]
public sealed class FetchedBatchesCopier : IDeepCopier<FetchedBatches>, IOptionalDeepCopier
{
    public FetchedBatches? DeepCopy(FetchedBatches? input, CopyContext context) => input;

    public bool IsShallowCopyable() => true;
}
