using System.Collections.Immutable;

namespace OrleansLog.Connect;

/// <summary>
/// Kafka Connect's answer to <c>PUT /connector-plugins/{class}/config/validate</c>: every field the connector knows, with
/// its definition, the value given and the errors found for that field alone.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ConfigValidation(
    [property: Id(0)] string Name,
    [property: Id(1)] int ErrorCount,
    [property: Id(2)] ImmutableArray<string> Groups,
    [property: Id(3)] ImmutableArray<ConfigFieldReport> Configs);

/// <summary>One field: how it is defined and what was found in the value given.</summary>
[GenerateSerializer, Immutable]
public sealed record ConfigFieldReport(
    [property: Id(0)] ConfigFieldDefinition Definition,
    [property: Id(1)] ConfigFieldValue Value);

[GenerateSerializer, Immutable]
public sealed record ConfigFieldDefinition(
    [property: Id(0)] string Name,
    [property: Id(1)] string Type,
    [property: Id(2)] bool Required,
    [property: Id(3)] string? DefaultValue,
    [property: Id(4)] string Importance,
    [property: Id(5)] string Documentation,
    [property: Id(6)] string? Group);

[GenerateSerializer, Immutable]
public sealed record ConfigFieldValue(
    [property: Id(0)] string Name,
    [property: Id(1)] string? Value,
    [property: Id(2)] ImmutableArray<string> RecommendedValues,
    [property: Id(3)] ImmutableArray<string> Errors,
    [property: Id(4)] bool Visible);
