using OrleansLog.Connect.Data;

namespace OrleansLog.Connect.Converters;

/// <summary>
/// Turns a record's key or value into the bytes stored in the log and back (Kafka Connect's Converter). A converter is
/// made per task and per side (key or value); not thread-safe. The plain converters answer synchronously; those of the
/// schema registry look a schema up the first time they meet it.
/// </summary>
public interface IConverter
{
    /// <summary>The bytes for <paramref name="value"/> (null for a null value: a tombstone stays one). Asynchronous for converters that register schemas.</summary>
    ValueTask<byte[]?> FromConnectAsync(string topic, ConnectSchema? schema, object? value);

    /// <summary>The schema and value in <paramref name="data"/> (null: a tombstone; an array, not a memory, so a null cannot turn into an empty value); throws <see cref="DataException"/> when the bytes are not what this converter reads.</summary>
    ValueTask<(ConnectSchema? Schema, object? Value)> ToConnectAsync(string topic, byte[]? data);
}
