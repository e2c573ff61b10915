using System.Collections.Immutable;
using System.Text.Json;
using Json.Schema;
using Orleans.Serialization;
using OrleansLog.Schemas;
using OrleansLog.Server.Persistence;

namespace OrleansLog.Server.Schemas;

/// <summary>
/// The schema registry (see <see cref="ISchemaRegistryGrain"/>). JSON Schemas are checked with
/// JsonSchema.Net and compared by <see cref="JsonSchemaCompatibility"/>; Avro schemas are parsed and
/// compared by Apache.Avro (schema resolution: <c>CanRead</c>). Both are stored normalized (compact), so
/// the same schema written differently gets the same id. Concurrency: not reentrant for changes, so registrations take versions and ids one at a time;
/// reads interleave.
/// </summary>
public sealed class SchemaRegistryGrain(
    [PersistentState("schemas", OrleansLogStorage.Name)] IPersistentState<SchemaRegistryState> state,
    DeepCopier copier) : Grain, ISchemaRegistryGrain
{
    public const string JsonType = "JSON";
    public const string AvroType = "AVRO";

    private SchemaRegistryState State => state.State;

    public async Task<SchemaAnswer> Register(string subject, string schemaType, string schema)
    {
        if (Parse(schemaType, schema, out var normalized) is { } invalid)
        {
            return invalid;
        }

        var type = schemaType.ToUpperInvariant();
        var versions = State.Subjects.GetValueOrDefault(subject) ?? [];
        if (versions.FirstOrDefault(v => State.Schemas[v.SchemaId].Schema == normalized) is { } existing)
        {
            return SchemaAnswer.Of(Describe(subject, existing));
        }

        if (versions.Count > 0 && Incompatibility(subject, versions[^1], type, normalized) is { } why)
        {
            return SchemaAnswer.Fail(SchemaAnswer.Incompatible, $"Schema being registered is incompatible with the latest version ({versions[^1].Version}) of subject \"{subject}\" under {LevelOf(subject)}: {why}.");
        }

        var before = copier.Copy(State);
        var id = State.Schemas.FirstOrDefault(s => s.Value.Schema == normalized).Key;
        if (id == 0)
        {
            id = State.NextId++;
            State.Schemas[id] = new StoredSchema(type, normalized);
        }

        var version = new SubjectVersion(versions.Count == 0 ? 1 : versions[^1].Version + 1, id);
        State.Subjects[subject] = [.. versions, version];
        await state.WriteOrRestoreAsync(before, $"the registration of a schema under \"{subject}\"");
        return SchemaAnswer.Of(Describe(subject, version));
    }

    public Task<ImmutableArray<string>> Subjects() => Task.FromResult(State.Subjects.Keys.Order(StringComparer.Ordinal).ToImmutableArray());

    public Task<SchemaAnswer> Versions(string subject) =>
        Task.FromResult(State.Subjects.TryGetValue(subject, out var versions)
            ? new SchemaAnswer(0, Versions: [.. versions.Select(v => v.Version)])
            : NoSubject(subject));

    public Task<SchemaAnswer> GetVersion(string subject, int version) => Task.FromResult(Find(subject, version, out var found) ?? SchemaAnswer.Of(Describe(subject, found!)));

    public Task<SchemaAnswer> GetById(int id) =>
        Task.FromResult(State.Schemas.TryGetValue(id, out var schema)
            ? SchemaAnswer.Of(new SchemaVersion("", 0, id, schema.SchemaType, schema.Schema))
            : SchemaAnswer.Fail(SchemaAnswer.SchemaNotFound, $"Schema {id} not found."));

    public Task<ImmutableArray<int>> SchemaIds(string subject) =>
        Task.FromResult(State.Subjects.TryGetValue(subject, out var versions) ? versions.Select(v => v.SchemaId).Distinct().ToImmutableArray() : []);

    public Task<SchemaAnswer> Lookup(string subject, string schema)
    {
        if (!State.Subjects.TryGetValue(subject, out var versions))
        {
            return Task.FromResult(NoSubject(subject));
        }

        if (Parse(State.Schemas[versions[^1].SchemaId].SchemaType, schema, out var normalized) is { } invalid)
        {
            return Task.FromResult(invalid);
        }

        return Task.FromResult(versions.FirstOrDefault(v => State.Schemas[v.SchemaId].Schema == normalized) is { } found
            ? SchemaAnswer.Of(Describe(subject, found))
            : SchemaAnswer.Fail(SchemaAnswer.SchemaNotFound, $"Schema not found under subject \"{subject}\"."));
    }

    public Task<SchemaAnswer> TestCompatibility(string subject, int version, string schemaType, string schema)
    {
        if (Parse(schemaType, schema, out var normalized) is { } invalid)
        {
            return Task.FromResult(invalid);
        }

        if (!State.Subjects.ContainsKey(subject))
        {
            // Nothing to be compatible with: any schema may be the first version.
            return Task.FromResult(new SchemaAnswer(0, Compatibility: LevelOf(subject)));
        }

        if (Find(subject, version, out var against) is { } missing)
        {
            return Task.FromResult(missing);
        }

        var why = Incompatibility(subject, against!, schemaType.ToUpperInvariant(), normalized);
        return Task.FromResult(new SchemaAnswer(0, why, Compatibility: why is null ? "compatible" : "incompatible"));
    }

    public async Task<SchemaAnswer> DeleteSubject(string subject)
    {
        if (!State.Subjects.TryGetValue(subject, out var versions))
        {
            return NoSubject(subject);
        }

        var before = copier.Copy(State);
        State.Subjects.Remove(subject);
        State.SubjectCompatibility.Remove(subject);
        await state.WriteOrRestoreAsync(before, $"the deletion of subject \"{subject}\"");
        return new SchemaAnswer(0, Versions: [.. versions.Select(v => v.Version)]);
    }

    public Task<SchemaAnswer> GetCompatibility(string? subject) =>
        Task.FromResult(subject is not null && !State.SubjectCompatibility.ContainsKey(subject) && !State.Subjects.ContainsKey(subject)
            ? NoSubject(subject)
            : new SchemaAnswer(0, Compatibility: LevelOf(subject)));

    public async Task<SchemaAnswer> SetCompatibility(string? subject, string level)
    {
        var normalized = level.Trim().ToUpperInvariant();
        if (!CompatibilityLevel.IsKnown(normalized))
        {
            return SchemaAnswer.Fail(SchemaAnswer.InvalidCompatibilityLevel, $"Invalid compatibility level \"{level}\": use BACKWARD, FORWARD, FULL or NONE.");
        }

        var before = copier.Copy(State);
        if (subject is null)
        {
            State.GlobalCompatibility = normalized;
        }
        else
        {
            State.SubjectCompatibility[subject] = normalized;
        }

        await state.WriteOrRestoreAsync(before, "the compatibility level");
        return new SchemaAnswer(0, Compatibility: normalized);
    }

    private string LevelOf(string? subject) =>
        subject is not null && State.SubjectCompatibility.TryGetValue(subject, out var level) ? level : State.GlobalCompatibility;

    private string? Incompatibility(string subject, SubjectVersion previous, string type, string normalized)
    {
        var stored = State.Schemas[previous.SchemaId];
        var level = LevelOf(subject);
        if (level == CompatibilityLevel.None)
        {
            return null;
        }

        if (stored.SchemaType != type)
        {
            return $"the subject holds {stored.SchemaType} schemas and this one is {type}";
        }

        if (type == AvroType)
        {
            return AvroCompatibility(level, Avro.Schema.Parse(stored.Schema), Avro.Schema.Parse(normalized));
        }

        using var old = JsonDocument.Parse(stored.Schema);
        using var next = JsonDocument.Parse(normalized);
        return JsonSchemaCompatibility.Check(level, old.RootElement, next.RootElement);
    }

    /// <summary>Avro's own schema resolution decides: a reader schema can read a writer's data when <c>CanRead</c> says so.</summary>
    private static string? AvroCompatibility(string level, Avro.Schema previous, Avro.Schema next)
    {
        var backward = level is CompatibilityLevel.Backward or CompatibilityLevel.Full && !next.CanRead(previous);
        var forward = level is CompatibilityLevel.Forward or CompatibilityLevel.Full && !previous.CanRead(next);
        return backward ? "the new Avro schema cannot read data written with the previous one"
            : forward ? "the previous Avro schema cannot read data written with the new one"
            : null;
    }

    private SchemaAnswer? Find(string subject, int version, out SubjectVersion? found)
    {
        found = null;
        if (!State.Subjects.TryGetValue(subject, out var versions))
        {
            return NoSubject(subject);
        }

        if (version is 0 or < -1)
        {
            return SchemaAnswer.Fail(SchemaAnswer.InvalidVersion, $"Version {version} is not a version: use a number from 1, or \"latest\".");
        }

        found = version == -1 ? versions[^1] : versions.FirstOrDefault(v => v.Version == version);
        return found is null ? SchemaAnswer.Fail(SchemaAnswer.VersionNotFound, $"Version {version} of subject \"{subject}\" not found.") : null;
    }

    private SchemaVersion Describe(string subject, SubjectVersion version)
    {
        var schema = State.Schemas[version.SchemaId];
        return new SchemaVersion(subject, version.Version, version.SchemaId, schema.SchemaType, schema.Schema);
    }

    private static SchemaAnswer NoSubject(string subject) => SchemaAnswer.Fail(SchemaAnswer.SubjectNotFound, $"Subject \"{subject}\" not found.");

    /// <summary>Checks the type and that the text is a schema of it; gives its compact form.</summary>
    private static SchemaAnswer? Parse(string schemaType, string schema, out string normalized)
    {
        normalized = "";
        if (string.Equals(schemaType, AvroType, StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                normalized = Avro.Schema.Parse(schema).ToString();
                return null;
            }
            catch (Exception e) when (e is Avro.AvroException or JsonException or ArgumentException or Newtonsoft.Json.JsonException)
            {
                return SchemaAnswer.Fail(SchemaAnswer.InvalidSchema, $"Invalid Avro schema: {e.Message}");
            }
        }

        if (!string.Equals(schemaType, JsonType, StringComparison.OrdinalIgnoreCase))
        {
            return SchemaAnswer.Fail(SchemaAnswer.InvalidSchema, $"Schema type \"{schemaType}\" is not supported: use JSON or AVRO.");
        }

        try
        {
            using var document = JsonDocument.Parse(schema);
            JsonSchema.FromText(schema, JsonSchemaDialect.Options);
            normalized = JsonSerializer.Serialize(document.RootElement);
            return document.RootElement.ValueKind is JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False
                ? null
                : SchemaAnswer.Fail(SchemaAnswer.InvalidSchema, "A JSON Schema is an object or a boolean.");
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or JsonSchemaException)
        {
            return SchemaAnswer.Fail(SchemaAnswer.InvalidSchema, $"Invalid JSON Schema: {e.Message}");
        }
    }
}
