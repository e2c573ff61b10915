using System.Text;

namespace OrleansLog.Client.Serialization;

/// <summary>The built-in deserializers: raw bytes, UTF-8 strings, ignore (<see cref="Null"/>).</summary>
public static class Deserializers
{
    public static IDeserializer<byte[]?> ByteArray { get; } = new ByteArrayDeserializer();

    public static IDeserializer<string?> Utf8 { get; } = new Utf8Deserializer();

    /// <summary>Skips the bytes: for keys or values the application does not read.</summary>
    public static IDeserializer<Null?> Null { get; } = new NullDeserializer();

    internal static IDeserializer<T>? Default<T>() =>
        (typeof(T) == typeof(byte[]) ? (object)ByteArray
        : typeof(T) == typeof(string) ? Utf8
        : typeof(T) == typeof(Null) ? Null
        : null) as IDeserializer<T>;

    private sealed class ByteArrayDeserializer : IDeserializer<byte[]?>
    {
        public byte[]? Deserialize(ReadOnlySpan<byte> data, bool isNull) => isNull ? null : data.ToArray();
    }

    private sealed class Utf8Deserializer : IDeserializer<string?>
    {
        public string? Deserialize(ReadOnlySpan<byte> data, bool isNull) => isNull ? null : Encoding.UTF8.GetString(data);
    }

    private sealed class NullDeserializer : IDeserializer<Null?>
    {
        public Null? Deserialize(ReadOnlySpan<byte> data, bool isNull) => null;
    }
}
