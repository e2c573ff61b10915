using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Orleans.Serialization.Buffers;
using Orleans.Serialization.Codecs;
using Orleans.Serialization.Cloning;
using Orleans.Serialization.Serializers;
using Orleans.Serialization.WireProtocol;

namespace OrleansLog.Partitions;

/// <summary>
/// Writes <see cref="BatchBytes"/> exactly as Orleans writes a <see cref="ReadOnlyMemory{T}"/> of bytes (a
/// length-prefixed field), so the requests that carry them read the same on the wire as when they held one; reads
/// them into an array rented from <see cref="ArrayPool{T}.Shared"/> that the receiving grain hands back. Stateless.
/// </summary>
[RegisterSerializer]
public sealed class BatchBytesCodec : IFieldCodec<BatchBytes>
{
    public void WriteField<TBufferWriter>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, [AllowNull] Type expectedType, [AllowNull] BatchBytes value)
        where TBufferWriter : IBufferWriter<byte> =>
        BatchWire.Write(ref writer, fieldIdDelta, expectedType, typeof(BatchBytes), (value ?? BatchBytes.Empty).Span);

    public BatchBytes ReadValue<TInput>(ref Reader<TInput> reader, Field field)
    {
        var length = BatchWire.ReadLength(ref reader, field);
        if (length == 0)
        {
            return BatchBytes.Empty;
        }

        var rented = ArrayPool<byte>.Shared.Rent(length);
        reader.ReadBytes(rented.AsSpan(0, length));
        return BatchBytes.OfRented(rented, length);
    }
}

/// <summary>No copy: the bytes are immutable, and a grain in the same silo gets the sender's own (never rented, never handed back).</summary>
[RegisterCopier]
public sealed class BatchBytesCopier : IDeepCopier<BatchBytes>, IOptionalDeepCopier
{
    public BatchBytes? DeepCopy(BatchBytes? input, CopyContext context) => input;

    public bool IsShallowCopyable() => true;
}
