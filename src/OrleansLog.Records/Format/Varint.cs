namespace OrleansLog.Records;

/// <summary>
/// Kafka's variable-length integers: zig-zag encoded signed varints (records) and unsigned varints
/// (compact protocol fields), seven bits a byte, low bits first. Stateless and thread-safe.
/// </summary>
public static class Varint
{
    /// <summary>The most bytes a zig-zag int takes.</summary>
    public const int MaxVarIntBytes = 5;

    /// <summary>The most bytes a zig-zag long takes.</summary>
    public const int MaxVarLongBytes = 10;

    public static int SizeOfVarInt(int value) => SizeOfUnsignedVarInt((uint)((value << 1) ^ (value >> 31)));

    public static int SizeOfVarLong(long value) => SizeOfUnsignedVarLong((ulong)((value << 1) ^ (value >> 63)));

    public static int SizeOfUnsignedVarInt(uint value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    public static int SizeOfUnsignedVarLong(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    public static int WriteVarInt(Span<byte> destination, int value) =>
        WriteUnsignedVarInt(destination, (uint)((value << 1) ^ (value >> 31)));

    public static int WriteVarLong(Span<byte> destination, long value) =>
        WriteUnsignedVarLong(destination, (ulong)((value << 1) ^ (value >> 63)));

    public static int WriteUnsignedVarInt(Span<byte> destination, uint value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    public static int WriteUnsignedVarLong(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    /// <summary>Reads a zig-zag int; returns false when the bytes end early or run past five bytes.</summary>
    public static bool TryReadVarInt(ReadOnlySpan<byte> source, out int value, out int bytesRead)
    {
        if (!TryReadUnsignedVarInt(source, out var raw, out bytesRead))
        {
            value = 0;
            return false;
        }

        value = (int)(raw >> 1) ^ -(int)(raw & 1);
        return true;
    }

    /// <summary>Reads a zig-zag long; returns false when the bytes end early or run past ten bytes.</summary>
    public static bool TryReadVarLong(ReadOnlySpan<byte> source, out long value, out int bytesRead)
    {
        if (!TryReadUnsignedVarLong(source, out var raw, out bytesRead))
        {
            value = 0;
            return false;
        }

        value = (long)(raw >> 1) ^ -(long)(raw & 1);
        return true;
    }

    public static bool TryReadUnsignedVarInt(ReadOnlySpan<byte> source, out uint value, out int bytesRead)
    {
        uint result = 0;
        for (var i = 0; i < MaxVarIntBytes && i < source.Length; i++)
        {
            var b = source[i];
            if (i == MaxVarIntBytes - 1 && b > 0x0F)
            {
                break;
            }

            result |= (uint)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                value = result;
                bytesRead = i + 1;
                return true;
            }
        }

        value = 0;
        bytesRead = 0;
        return false;
    }

    public static bool TryReadUnsignedVarLong(ReadOnlySpan<byte> source, out ulong value, out int bytesRead)
    {
        ulong result = 0;
        for (var i = 0; i < MaxVarLongBytes && i < source.Length; i++)
        {
            var b = source[i];
            if (i == MaxVarLongBytes - 1 && b > 0x01)
            {
                break;
            }

            result |= (ulong)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                value = result;
                bytesRead = i + 1;
                return true;
            }
        }

        value = 0;
        bytesRead = 0;
        return false;
    }
}
