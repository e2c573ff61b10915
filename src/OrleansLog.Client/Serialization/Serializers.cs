using System.Buffers;
using System.Text;

namespace OrleansLog.Client.Serialization;

/// <summary>The built-in serializers: raw bytes, UTF-8 strings, nothing (<see cref="Null"/>).</summary>
public static class Serializers
{
    public static ISerializer<byte[]?> ByteArray { get; } = new ByteArraySerializer();

    public static ISerializer<ReadOnlyMemory<byte>> Memory { get; } = new MemorySerializer();

    public static ISerializer<string?> Utf8 { get; } = new Utf8Serializer();

    /// <summary>For a key or value that is always null.</summary>
    public static ISerializer<Null?> Null { get; } = new NullSerializer();

    /// <summary>The default serializer for <typeparamref name="T"/>, or null when there is none (then pass one).</summary>
    internal static ISerializer<T>? Default<T>() =>
        (typeof(T) == typeof(byte[]) ? (object)ByteArray
        : typeof(T) == typeof(string) ? Utf8
        : typeof(T) == typeof(ReadOnlyMemory<byte>) ? Memory
        : typeof(T) == typeof(Null) ? Null
        : null) as ISerializer<T>;

    private sealed class ByteArraySerializer : ISerializer<byte[]?>
    {
        public bool Serialize(byte[]? value, IBufferWriter<byte> destination)
        {
            if (value is null)
            {
                return false;
            }

            destination.Write(value);
            return true;
        }
    }

    private sealed class MemorySerializer : ISerializer<ReadOnlyMemory<byte>>
    {
        public bool Serialize(ReadOnlyMemory<byte> value, IBufferWriter<byte> destination)
        {
            destination.Write(value.Span);
            return true;
        }
    }

    private sealed class Utf8Serializer : ISerializer<string?>
    {
        public bool Serialize(string? value, IBufferWriter<byte> destination)
        {
            if (value is null)
            {
                return false;
            }

            Encoding.UTF8.GetBytes(value, destination);
            return true;
        }
    }

    private sealed class NullSerializer : ISerializer<Null?>
    {
        public bool Serialize(Null? value, IBufferWriter<byte> destination) => false;
    }
}
