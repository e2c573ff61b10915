using System.Buffers.Binary;
using OrleansLog.Records;

namespace OrleansLog.Server.Schemas;

/// <summary>
/// Confluent's wire format for a key or value written by a schema-aware serializer: magic byte 0, the schema
/// id as a big-endian int32, then the serialized data. <see cref="FindViolation"/> applies Confluent
/// Server's produce-time rule to every record of a run of batches: a non-null key or value (as the topic
/// asks) must start with that header and name a schema registered under the topic's subject. Null keys and
/// values pass (tombstones, unkeyed records). Stateless and thread-safe.
/// </summary>
public static class SchemaWireFormat
{
    public const byte MagicByte = 0;

    /// <summary>Bytes of the header in front of the serialized data.</summary>
    public const int HeaderSize = 5;

    /// <summary>
    /// The first record of <paramref name="batches"/> (well-formed: already validated) that breaks the rule,
    /// as its index across the batches and why; null when every record keeps it. A null id set means that
    /// part (key or value) is not checked.
    /// </summary>
    public static SchemaViolation? FindViolation(ReadOnlySpan<byte> batches, string topic, IReadOnlySet<int>? keyIds, IReadOnlySet<int>? valueIds)
    {
        var index = 0;
        while (!batches.IsEmpty)
        {
            var size = RecordBatchHeader.ReadOffsetAndSize(batches).SizeInBytes;
            using (var reader = new RecordReader(batches[..size]))
            {
                while (reader.TryReadNext(out var record))
                {
                    if (keyIds is not null && record.HasKey && Why(record.Key, keyIds) is { } key)
                    {
                        return new SchemaViolation(index, key.UnknownId, $"Record {index}: its key {key.Reason} under subject \"{topic}-key\", which topic \"{topic}\" requires (confluent.key.schema.validation=true).");
                    }

                    if (valueIds is not null && record.HasValue && Why(record.Value, valueIds) is { } value)
                    {
                        return new SchemaViolation(index, value.UnknownId, $"Record {index}: its value {value.Reason} under subject \"{topic}-value\", which topic \"{topic}\" requires (confluent.value.schema.validation=true).");
                    }

                    index++;
                }
            }

            batches = batches[size..];
        }

        return null;
    }

    private static (string Reason, bool UnknownId)? Why(ReadOnlySpan<byte> data, IReadOnlySet<int> registered)
    {
        if (data.Length < HeaderSize || data[0] != MagicByte)
        {
            return ("does not start with Confluent's wire header (magic byte 0 and a schema id) naming a schema registered", false);
        }

        var id = BinaryPrimitives.ReadInt32BigEndian(data[1..]);
        return registered.Contains(id) ? null : ($"names schema id {id}, which is not registered", true);
    }
}

/// <summary>
/// The record a schema check refused: its index across the produced batches, whether it named an id the
/// cached registry did not know (worth asking the registry again), and the message the producer gets.
/// </summary>
public sealed record SchemaViolation(int RecordIndex, bool UnknownId, string Message);
