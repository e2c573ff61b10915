using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace OrleansLog.Kafka.Protocol;

/// <summary>
/// Writes one response frame into a buffer rented from the shared pool: the 4-byte size prefix is
/// reserved at the start and filled in when the frame is written out. <c>flexible</c> selects the compact
/// encodings. Large byte fields (fetched record batches) can be referenced instead of copied
/// (<see cref="WriteBytesReference"/>): they go to the socket straight from where they are. Not
/// thread-safe; one per response, disposed once the frame is on the socket.
/// </summary>
public sealed class KafkaWriter : IDisposable
{
    /// <summary>Byte fields smaller than this are copied: a reference only pays for itself on large ones.</summary>
    private const int ReferenceThreshold = 4096;

    private byte[] _buffer;
    private int _length;
    private List<(int Position, ReadOnlyMemory<byte> Bytes)>? _references;
    private List<IDisposable>? _owned;
    private int _referencedLength;
    private int _throttlePosition = -1;

    public KafkaWriter(int initialCapacity = 512)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
        _length = 4;
    }

    /// <summary>Bytes written after the size prefix, referenced ones included.</summary>
    public int BodyLength => _length - 4 + _referencedLength;

    public void WriteInt8(sbyte value) => Span(1)[0] = (byte)value;

    public void WriteBool(bool value) => Span(1)[0] = value ? (byte)1 : (byte)0;

    public void WriteInt16(short value) => BinaryPrimitives.WriteInt16BigEndian(Span(2), value);

    public void WriteInt16(ErrorCode value) => WriteInt16((short)value);

    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32BigEndian(Span(4), value);

    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64BigEndian(Span(8), value);

    public void WriteFloat64(double value) => BinaryPrimitives.WriteDoubleBigEndian(Span(8), value);

    /// <summary>The response's throttle_time_ms, 0 until <see cref="SetThrottleTime"/> fills it in once the request's quotas are recorded.</summary>
    public void WriteThrottleTime()
    {
        _throttlePosition = _length;
        WriteInt32(0);
    }

    /// <summary>The throttle time set on this response (0 when none).</summary>
    public int ThrottleTimeMs { get; private set; }

    /// <summary>Sets the throttle time, in the response's throttle_time_ms when it has one.</summary>
    public void SetThrottleTime(int milliseconds)
    {
        ThrottleTimeMs = milliseconds;
        if (_throttlePosition >= 0)
        {
            BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_throttlePosition, 4), milliseconds);
        }
    }

    public void WriteUuid(Guid value) => value.TryWriteBytes(Span(16), bigEndian: true, out _);

    public void WriteUnsignedVarInt(uint value)
    {
        while (value >= 0x80)
        {
            Span(1)[0] = (byte)(value | 0x80);
            value >>= 7;
        }

        Span(1)[0] = (byte)value;
    }

    public void WriteString(string value, bool flexible) => WriteNullableString(value, flexible);

    public void WriteNullableString(string? value, bool flexible)
    {
        if (value is null)
        {
            WriteLength(-1, flexible, shortLength: true);
            return;
        }

        var size = Encoding.UTF8.GetByteCount(value);
        WriteLength(size, flexible, shortLength: true);
        Encoding.UTF8.GetBytes(value, Span(size));
    }

    public void WriteBytes(ReadOnlySpan<byte> value, bool flexible)
    {
        WriteLength(value.Length, flexible, shortLength: false);
        value.CopyTo(Span(value.Length));
    }

    /// <summary>Disposes <paramref name="resource"/> with this frame: what holds referenced bytes lives until they are on the socket.</summary>
    public void Owns(IDisposable resource) => (_owned ??= []).Add(resource);

    /// <summary>A byte field whose contents are not copied but written to the socket from <paramref name="value"/>, which must stay unchanged until then.</summary>
    public void WriteBytesReference(ReadOnlyMemory<byte> value, bool flexible)
    {
        if (value.Length < ReferenceThreshold)
        {
            WriteBytes(value.Span, flexible);
            return;
        }

        WriteLength(value.Length, flexible, shortLength: false);
        (_references ??= []).Add((_length, value));
        _referencedLength += value.Length;
    }

    public void WriteNullBytes(bool flexible) => WriteLength(-1, flexible, shortLength: false);

    /// <summary>An array's element count (-1: null); the elements follow.</summary>
    public void WriteArrayLength(int count, bool flexible) => WriteLength(count, flexible, shortLength: false);

    public void WriteInt32Array(ReadOnlySpan<int> values, bool flexible)
    {
        WriteArrayLength(values.Length, flexible);
        foreach (var value in values)
        {
            WriteInt32(value);
        }
    }

    /// <summary>No tagged fields (flexible versions only).</summary>
    public void WriteEmptyTaggedFields(bool flexible)
    {
        if (flexible)
        {
            WriteUnsignedVarInt(0);
        }
    }

    /// <summary>Fills in the size prefix; the returned bytes are the whole frame, valid until <see cref="Dispose"/>. Only for frames without referenced fields.</summary>
    public ReadOnlyMemory<byte> Complete()
    {
        if (_references is not null)
        {
            throw new InvalidOperationException("A frame with referenced byte fields is written with WriteTo.");
        }

        BinaryPrimitives.WriteInt32BigEndian(_buffer, BodyLength);
        return _buffer.AsMemory(0, _length);
    }

    /// <summary>Writes the whole frame, size prefix first, referenced fields in their places.</summary>
    public void WriteTo(IBufferWriter<byte> output)
    {
        BinaryPrimitives.WriteInt32BigEndian(_buffer, BodyLength);
        var from = 0;
        foreach (var (position, bytes) in _references ?? [])
        {
            output.Write(_buffer.AsSpan(from, position - from));
            output.Write(bytes.Span);
            from = position;
        }

        output.Write(_buffer.AsSpan(from, _length - from));
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        _references = null;
        if (_owned is { } owned)
        {
            _owned = null;
            foreach (var resource in owned)
            {
                resource.Dispose();
            }
        }
    }

    private void WriteLength(int length, bool flexible, bool shortLength)
    {
        if (flexible)
        {
            WriteUnsignedVarInt((uint)(length + 1));
        }
        else if (shortLength)
        {
            WriteInt16(checked((short)length));
        }
        else
        {
            WriteInt32(length);
        }
    }

    private Span<byte> Span(int size)
    {
        if (_length + size > _buffer.Length)
        {
            Grow(_length + size);
        }

        var span = _buffer.AsSpan(_length, size);
        _length += size;
        return span;
    }

    private void Grow(int needed)
    {
        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
        _buffer.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
