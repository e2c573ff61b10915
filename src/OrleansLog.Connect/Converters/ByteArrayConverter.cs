using OrleansLog.Connect.Data;

namespace OrleansLog.Connect.Converters;

/// <summary>Kafka's ByteArrayConverter: the bytes as they are.</summary>
public sealed class ByteArrayConverter : IConverter
{
    private static readonly ConnectSchema Schema = new(ConnectTypes.Bytes, Optional: true);

    public byte[]? FromConnect(string topic, ConnectSchema? schema, object? value) => value switch
    {
        null => null,
        byte[] bytes => bytes,
        _ => throw new DataException($"ByteArrayConverter writes bytes only, not {value.GetType().Name}."),
    };

    public (ConnectSchema? Schema, object? Value) ToConnect(string topic, byte[]? data) =>
        (Schema, data);
}
