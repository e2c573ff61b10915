using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text.Json;
using Json.Schema;
using OrleansLog.Client;
using OrleansLog.Metadata;
using OrleansLog.Schemas;
using OrleansLog.Topics;

namespace OrleansLog.Web.SchemaRegistry;

/// <summary>
/// For topics with <c>confluent.value.schema.validation=true</c>: checks a produced value against the
/// latest schema of the subject "&lt;topic&gt;-value" and frames it as Confluent's serializers do (magic
/// byte 0, the schema id as a big-endian int32, then the JSON), so schema-aware consumers read it. Parsed
/// schemas are cached by id (a schema id never changes its text).
/// </summary>
public sealed class ValueSchemaValidator(OrleansLogClient client)
{
    private readonly ConcurrentDictionary<int, JsonSchema> _schemas = new();

    /// <summary>The schema that values of <paramref name="topic"/> must match, or null when the topic does not ask for one; a problem when it does and none is registered.</summary>
    public async Task<(RequiredSchema? Schema, string? Problem)> ForTopic(string topic)
    {
        if (await client.Grains.GetGrain<ITopicGrain>(topic).TryGetMetadata() is not { } description || !description.Config.ValueSchemaValidation)
        {
            return (null, null);
        }

        var subject = $"{topic}-value";
        var latest = await client.Grains.GetGrain<ISchemaRegistryGrain>(ISchemaRegistryGrain.ClusterKey).GetVersion(subject, -1);
        if (latest.IsError)
        {
            return (null, $"Topic \"{topic}\" requires values to match a schema ({TopicConfig.ValueSchemaValidationKey}=true), but subject \"{subject}\" has none registered.");
        }

        var schema = _schemas.GetOrAdd(latest.Schema!.Id, _ => JsonSchema.FromText(latest.Schema.Schema, new BuildOptions { Dialect = Dialect.Draft07 }));
        return (new RequiredSchema(latest.Schema, schema), null);
    }

    /// <summary>The framed value, or why <paramref name="value"/> does not match.</summary>
    public static byte[]? Frame(RequiredSchema required, byte[]? value, out string? problem)
    {
        problem = null;
        if (value is null)
        {
            problem = $"A value is required: the topic's values must match schema {required.Version.Id} (subject \"{required.Version.Subject}\", version {required.Version.Version}).";
            return null;
        }

        JsonElement document;
        try
        {
            document = JsonDocument.Parse(value).RootElement;
        }
        catch (JsonException)
        {
            problem = $"The value is not JSON, so it cannot match schema {required.Version.Id} (subject \"{required.Version.Subject}\").";
            return null;
        }

        var result = required.Schema.Evaluate(document, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (!result.IsValid)
        {
            var errors = (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")).Take(5);
            problem = $"The value does not match schema {required.Version.Id} (subject \"{required.Version.Subject}\", version {required.Version.Version}): {string.Join("; ", errors)}.";
            return null;
        }

        var framed = new byte[5 + value.Length];
        BinaryPrimitives.WriteInt32BigEndian(framed.AsSpan(1), required.Version.Id);
        value.CopyTo(framed, 5);
        return framed;
    }
}

/// <summary>The schema a topic's values must match: its registered version and the parsed schema.</summary>
public sealed record RequiredSchema(SchemaVersion Version, JsonSchema Schema);
