using System.Collections.Immutable;

namespace OrleansLog.Connect.Data;

/// <summary>
/// A value's schema in Kafka Connect's terms (the types int8…float64, boolean, string, bytes, array, map, struct; optional
/// or not; a name for logical types and records), as the JSON converter's envelope and the database connectors use it.
/// </summary>
public sealed record ConnectSchema(string Type, bool Optional = false, string? Name = null)
{
    public ImmutableArray<ConnectField> Fields { get; init; } = [];

    /// <summary>An array's items, or a map's values.</summary>
    public ConnectSchema? Items { get; init; }

    /// <summary>A map's keys.</summary>
    public ConnectSchema? Keys { get; init; }

    public ConnectSchema? Field(string name) => Fields.FirstOrDefault(f => f.Name == name)?.Schema;

    public static ConnectSchema Struct(string? name, params ConnectField[] fields) => new(ConnectTypes.Struct, false, name) { Fields = [.. fields] };
}

/// <summary>A field of a struct schema.</summary>
public sealed record ConnectField(string Name, ConnectSchema Schema);

#pragma warning disable CA1720 // Kafka Connect's type names, as they appear in schemas.

/// <summary>Kafka Connect's type names.</summary>
public static class ConnectTypes
{
    public const string Int8 = "int8";
    public const string Int16 = "int16";
    public const string Int32 = "int32";
    public const string Int64 = "int64";
    public const string Float32 = "float32";
    public const string Float64 = "float64";
    public const string Boolean = "boolean";
    public const string String = "string";
    public const string Bytes = "bytes";
    public const string Array = "array";
    public const string Map = "map";
    public const string Struct = "struct";
}
