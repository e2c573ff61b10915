using System.Collections.Immutable;

namespace OrleansLog.Schemas;

/// <summary>
/// The schema registry's answer: <see cref="ErrorCode"/> 0 with the schema or versions asked for, or one
/// of Confluent Schema Registry's error codes (40401 subject not found, 40402 version not found, 40403
/// schema not found, 409 incompatible, 42201 invalid schema, 42202 invalid version, 42203 invalid
/// compatibility level) with a message saying why.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SchemaAnswer(
    [property: Id(0)] int ErrorCode,
    [property: Id(1)] string? Message = null,
    [property: Id(2)] SchemaVersion? Schema = null,
    [property: Id(3)] ImmutableArray<int> Versions = default,
    [property: Id(4)] string? Compatibility = null)
{
    public const int SubjectNotFound = 40401;
    public const int VersionNotFound = 40402;
    public const int SchemaNotFound = 40403;
    public const int Incompatible = 409;
    public const int InvalidSchema = 42201;
    public const int InvalidVersion = 42202;
    public const int InvalidCompatibilityLevel = 42203;

    public bool IsError => ErrorCode != 0;

    public static SchemaAnswer Of(SchemaVersion schema) => new(0, Schema: schema);

    public static SchemaAnswer Fail(int code, string message) => new(code, message);
}
