namespace OrleansLog.Server.Groups;

/// <summary>A committed offset and the metadata string the committer attached.</summary>
[GenerateSerializer, Immutable]
public sealed record OffsetAndMetadata([property: Id(0)] long Offset, [property: Id(1)] string? Metadata);
