using System.Buffers.Binary;
using System.Text;

namespace OrleansLog.Kafka.Protocol;

/// <summary>
/// Reads Kafka's primitive types from one request body, in order. <c>flexible</c> selects the compact
/// encodings (unsigned-varint lengths plus one) that flexible versions use. Every length is checked
/// against what is left, so a truncated or lying frame throws <see cref="KafkaProtocolException"/>
/// instead of reading past its end. Strings are decoded (topic and group names); byte fields are
/// returned as slices of the frame, never copied.
/// </summary>
public ref struct KafkaReader(ReadOnlySpan<byte> buffer)
{
    private readonly ReadOnlySpan<byte> _buffer = buffer;
    private int _position;

    public readonly int Position => _position;

    public readonly int Remaining => _buffer.Length - _position;

    public sbyte ReadInt8() => (sbyte)Take(1)[0];

    public bool ReadBool() => Take(1)[0] != 0;

    public short ReadInt16() => BinaryPrimitives.ReadInt16BigEndian(Take(2));

    public int ReadInt32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

    public double ReadFloat64() => BinaryPrimitives.ReadDoubleBigEndian(Take(8));

    public Guid ReadUuid() => new(Take(16), bigEndian: true);

    public uint ReadUnsignedVarInt()
    {
        uint value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            var b = Take(1)[0];
            value |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new KafkaProtocolException("A varint runs over five bytes.");
    }

    public string ReadString(bool flexible) =>
        ReadNullableString(flexible) ?? throw new KafkaProtocolException("A string that may not be null is null.");

    public string? ReadNullableString(bool flexible)
    {
        var length = flexible ? (int)ReadUnsignedVarInt() - 1 : ReadInt16();
        return length switch
        {
            -1 => null,
            < -1 => throw new KafkaProtocolException($"A string has length {length}."),
            _ => Encoding.UTF8.GetString(Take(length)),
        };
    }

    public ReadOnlySpan<byte> ReadBytes(bool flexible) =>
        ReadNullableBytes(flexible, out var isNull) is var bytes && !isNull ? bytes : throw new KafkaProtocolException("A byte field that may not be null is null.");

    public ReadOnlySpan<byte> ReadNullableBytes(bool flexible, out bool isNull)
    {
        var length = flexible ? (long)ReadUnsignedVarInt() - 1 : ReadInt32();
        isNull = length == -1;
        return length switch
        {
            -1 => default,
            < -1 => throw new KafkaProtocolException($"A byte field has length {length}."),
            _ => Take((int)Math.Min(length, int.MaxValue)),
        };
    }

    /// <summary>An array's element count, -1 for a null array. Each element takes at least one byte, which bounds the count by what is left.</summary>
    public int ReadArrayLength(bool flexible)
    {
        var count = flexible ? (long)ReadUnsignedVarInt() - 1 : ReadInt32();
        if (count < -1 || count > Remaining)
        {
            throw new KafkaProtocolException($"An array claims {count} elements with {Remaining} bytes left.");
        }

        return (int)count;
    }

    /// <summary>Reads an array of int32, as arrays of partition numbers and broker ids are sent.</summary>
    public int[] ReadInt32Array(bool flexible)
    {
        var count = ReadArrayLength(flexible);
        var values = new int[Math.Max(count, 0)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = ReadInt32();
        }

        return values;
    }

    /// <summary>Tagged fields (flexible versions only): none of those the listener reads carry meaning for it, so they are skipped.</summary>
    public void SkipTaggedFields(bool flexible)
    {
        if (!flexible)
        {
            return;
        }

        var count = ReadUnsignedVarInt();
        for (var i = 0; i < count; i++)
        {
            ReadUnsignedVarInt();
            var size = ReadUnsignedVarInt();
            Take(size > int.MaxValue ? -1 : (int)size);
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > Remaining)
        {
            throw new KafkaProtocolException($"The frame ends {count - Remaining} byte(s) early (field of {count} bytes at position {_position}).");
        }

        var slice = _buffer.Slice(_position, count);
        _position += count;
        return slice;
    }
}
