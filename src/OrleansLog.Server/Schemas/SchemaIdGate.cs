using System.Collections.Concurrent;
using System.Collections.Frozen;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Records;
using OrleansLog.Schemas;

namespace OrleansLog.Server.Schemas;

/// <summary>
/// The produce path's schema validation (<c>confluent.key.schema.validation</c> and
/// <c>confluent.value.schema.validation</c>), for every produce that reaches a leader: Kafka listener,
/// native client and REST alike. It checks records with <see cref="SchemaWireFormat"/> against the schema ids
/// registered under the topic's subjects, which it caches per subject for <see cref="CacheFor"/>. A record
/// naming an id the cache lacks makes it ask the registry again, so a schema registered a moment ago is
/// accepted at once; misses of one subject share a single registry read in flight, so however many produces
/// name unknown ids, a subject costs the registry at most one read at a time from each silo.
/// <para>Concurrency: thread-safe (a silo singleton shared by partition grains); a subject's entry is a task, replaced only once it has completed.</para>
/// </summary>
public sealed class SchemaIdGate(IGrainFactory grains, TimeProvider time)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, Task<CachedIds>> _subjects = new(StringComparer.Ordinal);

    private ISchemaRegistryGrain Registry => grains.GetGrain<ISchemaRegistryGrain>(ISchemaRegistryGrain.ClusterKey);

    /// <summary>Whether <paramref name="config"/> asks for any schema check.</summary>
    public static bool Applies(TopicConfig config) => config.KeySchemaValidation || config.ValueSchemaValidation;

    /// <summary>
    /// Null when every record of <paramref name="batches"/> keeps the topic's schema rule; otherwise the
    /// INVALID_RECORD answer naming the first record that does not (and nothing may be appended). Batches
    /// are validated first (framing, CRC, records, bounded decompression), so a malformed one gets its own error.
    /// </summary>
    public async ValueTask<ProduceResponse?> CheckAsync(string topic, TopicConfig config, ReadOnlyMemory<byte> batches)
    {
        try
        {
            RecordBatchValidator.Validate(batches.Span, config.MaxMessageBytes, producerBatch: true);
            RecordBatchValidator.ValidateRecordsOfEach(batches.Span, new RecordLimits(RecordLimits.DefaultMaxUncompressedBytes, 0, long.MaxValue, long.MaxValue));
        }
        catch (OrleansLogException e)
        {
            return ProduceResponse.Failed(e);
        }

        var keySubject = config.KeySchemaValidation ? $"{topic}-key" : null;
        var valueSubject = config.ValueSchemaValidation ? $"{topic}-value" : null;
        var violation = await FindAsync(topic, batches, keySubject, valueSubject, refresh: false);
        if (violation is { UnknownId: true })
        {
            violation = await FindAsync(topic, batches, keySubject, valueSubject, refresh: true);
        }

        return violation is null ? null : new ProduceResponse(ErrorCode.InvalidRecord, -1, -1, violation.Message, RecordIndex: violation.RecordIndex);
    }

    private async ValueTask<SchemaViolation?> FindAsync(string topic, ReadOnlyMemory<byte> batches, string? keySubject, string? valueSubject, bool refresh)
    {
        var keyIds = keySubject is null ? null : await IdsOf(keySubject, refresh);
        var valueIds = valueSubject is null ? null : await IdsOf(valueSubject, refresh);
        return SchemaWireFormat.FindViolation(batches.Span, topic, keyIds, valueIds);
    }

    private async ValueTask<FrozenSet<int>> IdsOf(string subject, bool refresh)
    {
        if (_subjects.TryGetValue(subject, out var current))
        {
            if (!current.IsCompleted)
            {
                return (await current).Ids;
            }

            if (current.IsCompletedSuccessfully && !refresh && time.GetElapsedTime(current.Result.ReadAt) < CacheFor)
            {
                return current.Result.Ids;
            }
        }

        var read = ReadAsync(subject);
        var winner = current is null ? _subjects.GetOrAdd(subject, read) : _subjects.TryUpdate(subject, read, current) ? read : _subjects[subject];
        return (await winner).Ids;
    }

    private async Task<CachedIds> ReadAsync(string subject)
    {
        var ids = await Registry.SchemaIds(subject);
        return new CachedIds(ids.ToFrozenSet(), time.GetTimestamp());
    }

    private sealed record CachedIds(FrozenSet<int> Ids, long ReadAt);
}
