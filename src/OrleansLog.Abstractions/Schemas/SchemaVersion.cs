namespace OrleansLog.Schemas;

/// <summary>One registered version of a subject: its number, the schema's global id, its type (JSON) and text.</summary>
[GenerateSerializer, Immutable]
public sealed record SchemaVersion(
    [property: Id(0)] string Subject,
    [property: Id(1)] int Version,
    [property: Id(2)] int Id,
    [property: Id(3)] string SchemaType,
    [property: Id(4)] string Schema);
