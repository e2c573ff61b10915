using OrleansLog.Connect.Data;

namespace OrleansLog.Connect.Converters;

/// <summary>Kafka's ByteArrayConverter: the bytes as they are.</summary>
public sealed class ByteArrayConverter : IConverter
{
    private static readonly ConnectSchema Schema = new(ConnectTypes.Bytes, Optional: true);

    ValueTask<byte[]?> IConverter.FromConnectAsync(string topic, ConnectSchema? schema, object? value) => ValueTask.FromResult(FromConnect(topic, schema, value));

    ValueTask<(ConnectSchema? Schema, object? Value)> IConverter.ToConnectAsync(string topic, byte[]? data) => ValueTask.FromResult(ToConnect(topic, data));

    public static byte[]? FromConnect(string topic, ConnectSchema? schema, object? value) => value switch
    {
        null => null,
        byte[] bytes => bytes,
        _ => throw new DataException($"ByteArrayConverter writes bytes only, not {value.GetType().Name}."),
    };

    public static (ConnectSchema? Schema, object? Value) ToConnect(string topic, byte[]? data) =>
        (Schema, data);
}
