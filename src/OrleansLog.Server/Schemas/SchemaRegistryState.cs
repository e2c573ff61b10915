namespace OrleansLog.Server.Schemas;

/// <summary>The registry's persisted state: schemas by id, each subject's versions (schema ids, oldest first), compatibility levels, and the next id.</summary>
[GenerateSerializer]
public sealed class SchemaRegistryState
{
    [Id(0)]
    public Dictionary<int, StoredSchema> Schemas { get; set; } = [];

    [Id(1)]
    public Dictionary<string, List<SubjectVersion>> Subjects { get; set; } = new(StringComparer.Ordinal);

    [Id(2)]
    public string GlobalCompatibility { get; set; } = CompatibilityLevel.Backward;

    [Id(3)]
    public Dictionary<string, string> SubjectCompatibility { get; set; } = new(StringComparer.Ordinal);

    [Id(4)]
    public int NextId { get; set; } = 1;
}

/// <summary>A schema's type and normalized text.</summary>
[GenerateSerializer, Immutable]
public sealed record StoredSchema([property: Id(0)] string SchemaType, [property: Id(1)] string Schema);

/// <summary>A subject's version: its number and the schema id it holds.</summary>
[GenerateSerializer, Immutable]
public sealed record SubjectVersion([property: Id(0)] int Version, [property: Id(1)] int SchemaId);
