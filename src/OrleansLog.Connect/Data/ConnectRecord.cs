using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace OrleansLog.Connect.Data;

/// <summary>
/// A record between a connector and the log, before conversion to bytes (source) or after it (sink): topic, key and
/// value with their schemas (null when schemaless), timestamp (Unix ms) and headers. Transforms return changed copies.
/// </summary>
public record ConnectRecord(string Topic, ConnectSchema? KeySchema, object? Key, ConnectSchema? ValueSchema, object? Value, long? Timestamp)
{
    public int? Partition { get; init; }

    public ImmutableArray<KeyValuePair<string, byte[]?>> Headers { get; init; } = [];
}

/// <summary>A record a source task produced, with where it came from (its source partition) and how far that source has been read (its offset).</summary>
public sealed record SourceRecord(JsonObject SourcePartition, JsonObject SourceOffset, string Topic, ConnectSchema? KeySchema, object? Key, ConnectSchema? ValueSchema, object? Value, long? Timestamp)
    : ConnectRecord(Topic, KeySchema, Key, ValueSchema, Value, Timestamp);

/// <summary>A record read from the log for a sink task, with its partition and offset there.</summary>
public sealed record SinkRecord(string Topic, int KafkaPartition, long KafkaOffset, ConnectSchema? KeySchema, object? Key, ConnectSchema? ValueSchema, object? Value, long? Timestamp)
    : ConnectRecord(Topic, KeySchema, Key, ValueSchema, Value, Timestamp);
