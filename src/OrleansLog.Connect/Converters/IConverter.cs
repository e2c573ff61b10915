using OrleansLog.Connect.Data;

namespace OrleansLog.Connect.Converters;

/// <summary>
/// Turns a record's key or value into the bytes stored in the log and back (Kafka Connect's Converter). A converter is
/// made per task and per side (key or value); not thread-safe.
/// </summary>
public interface IConverter
{
    /// <summary>The bytes for <paramref name="value"/> (null for a null value: a tombstone stays one).</summary>
    byte[]? FromConnect(string topic, ConnectSchema? schema, object? value);

    /// <summary>The schema and value in <paramref name="data"/> (null: a tombstone; an array, not a memory, so a null cannot turn into an empty value); throws <see cref="DataException"/> when the bytes are not what this converter reads.</summary>
    (ConnectSchema? Schema, object? Value) ToConnect(string topic, byte[]? data);
}
