using System.Buffers;
using Orleans.Serialization.Buffers;
using Orleans.Serialization.Codecs;
using Orleans.Serialization.WireProtocol;

namespace OrleansLog.Partitions;

/// <summary>
/// Record batches on the wire as Orleans writes a byte array: a length-prefixed field, not tracked as a reference. Shared
/// by <see cref="BatchBytesCodec"/> and <see cref="FetchedBatchesCodec"/>, which differ only in where they read the
/// bytes to. Stateless.
/// </summary>
internal static class BatchWire
{
    public static void Write<TBufferWriter>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, Type? expectedType, Type actualType, ReadOnlySpan<byte> bytes)
        where TBufferWriter : IBufferWriter<byte>
    {
        ReferenceCodec.MarkValueField(writer.Session);
        writer.WriteFieldHeader(fieldIdDelta, expectedType, actualType, WireType.LengthPrefixed);
        writer.WriteVarUInt32((uint)bytes.Length);
        writer.Write(bytes);
    }

    /// <summary>The length the field claims, once the message is known to hold that many bytes (so no array is made for a lie).</summary>
    public static int ReadLength<TInput>(ref Reader<TInput> reader, Field field)
    {
        ReferenceCodec.MarkValueField(reader.Session);
        field.EnsureWireType(WireType.LengthPrefixed);
        var length = reader.ReadVarUInt32();
        if (length > int.MaxValue)
        {
            throw new InvalidDataException($"Record batches claim {length} bytes.");
        }

        if (length > 0)
        {
            reader.EnsureAvailable(length);
        }

        return (int)length;
    }
}
