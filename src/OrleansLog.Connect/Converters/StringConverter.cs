using System.Globalization;
using System.Text;
using OrleansLog.Connect.Data;

namespace OrleansLog.Connect.Converters;

/// <summary>Kafka's StringConverter: UTF-8 text; other values are written as their text.</summary>
public sealed class StringConverter : IConverter
{
    private static readonly ConnectSchema Schema = new(ConnectTypes.String, Optional: true);

    ValueTask<byte[]?> IConverter.FromConnectAsync(string topic, ConnectSchema? schema, object? value) => ValueTask.FromResult(FromConnect(topic, schema, value));

    ValueTask<(ConnectSchema? Schema, object? Value)> IConverter.ToConnectAsync(string topic, byte[]? data) => ValueTask.FromResult(ToConnect(topic, data));

    public static byte[]? FromConnect(string topic, ConnectSchema? schema, object? value) => value switch
    {
        null => null,
        string text => Encoding.UTF8.GetBytes(text),
        byte[] bytes => bytes,
        IFormattable formattable => Encoding.UTF8.GetBytes(formattable.ToString(null, CultureInfo.InvariantCulture)),
        _ => Encoding.UTF8.GetBytes(JsonConverter.ToJsonText(value)),
    };

    public static (ConnectSchema? Schema, object? Value) ToConnect(string topic, byte[]? data) =>
        data is { } bytes ? (Schema, Encoding.UTF8.GetString(bytes)) : (Schema, null);
}
