using System.Text.Json;

namespace OrleansLog.Server.Schemas;

/// <summary>
/// Whether one JSON Schema can read every document another accepts, for the compatibility levels. It
/// compares the parts schema evolution changes: types (an integer is a number), an object's properties
/// (each shared property recursively; a property the reader requires must be required by the writer; a
/// property the writer may send must be allowed by the reader, which a reader with
/// <c>additionalProperties: false</c> refuses), array items, and enums (the reader's must cover the
/// writer's). Constraints such as lengths, ranges and patterns are not compared. Unlike Confluent's
/// checker, adding an optional property to an open reader is compatible. Pure and thread-safe.
/// </summary>
public static class JsonSchemaCompatibility
{
    /// <summary>Why <paramref name="next"/> cannot follow <paramref name="previous"/> under <paramref name="level"/>, or null.</summary>
    public static string? Check(string level, JsonElement previous, JsonElement next) => level switch
    {
        CompatibilityLevel.Backward => CanRead(next, previous, "$"),
        CompatibilityLevel.Forward => CanRead(previous, next, "$"),
        CompatibilityLevel.Full => CanRead(next, previous, "$") ?? CanRead(previous, next, "$"),
        _ => null,
    };

    /// <summary>Why <paramref name="reader"/> cannot read everything <paramref name="writer"/> accepts, or null.</summary>
    public static string? CanRead(JsonElement reader, JsonElement writer, string path)
    {
        if (IsAnything(reader))
        {
            return null;
        }

        if (IsAnything(writer))
        {
            return $"{path}: the reader constrains what the writer leaves open";
        }

        var readerTypes = Types(reader);
        var writerTypes = Types(writer);
        if (readerTypes is not null)
        {
            if (writerTypes is null)
            {
                return $"{path}: the reader requires type {string.Join('/', readerTypes)}, the writer any type";
            }

            var missing = writerTypes.Where(t => !readerTypes.Contains(t) && !(t == "integer" && readerTypes.Contains("number"))).ToList();
            if (missing.Count > 0)
            {
                return $"{path}: the writer may write {string.Join('/', missing)}, which the reader ({string.Join('/', readerTypes)}) does not accept";
            }
        }

        if (reader.TryGetProperty("enum", out var readerEnum) && readerEnum.ValueKind == JsonValueKind.Array)
        {
            var accepted = readerEnum.EnumerateArray().Select(e => e.GetRawText()).ToHashSet(StringComparer.Ordinal);
            if (!writer.TryGetProperty("enum", out var writerEnum) || writerEnum.EnumerateArray().Any(e => !accepted.Contains(e.GetRawText())))
            {
                return $"{path}: the writer may write values outside the reader's enum";
            }
        }

        return Properties(reader, writer, path) ?? Items(reader, writer, path);
    }

    private static string? Properties(JsonElement reader, JsonElement writer, string path)
    {
        var readerProperties = PropertiesOf(reader);
        var writerProperties = PropertiesOf(writer);
        var writerRequired = Required(writer);
        foreach (var required in Required(reader))
        {
            if (!writerRequired.Contains(required))
            {
                return $"{path}.{required}: the reader requires it and the writer does not";
            }
        }

        foreach (var (name, schema) in readerProperties)
        {
            if (writerProperties.TryGetValue(name, out var written) && CanRead(schema, written, $"{path}.{name}") is { } problem)
            {
                return problem;
            }
        }

        var closed = reader.TryGetProperty("additionalProperties", out var additional) && additional.ValueKind == JsonValueKind.False;
        if (closed)
        {
            if (writerProperties.Keys.FirstOrDefault(name => !readerProperties.ContainsKey(name)) is { } extra)
            {
                return $"{path}.{extra}: the writer may write it and the reader allows no additional properties";
            }

            if (!(writer.TryGetProperty("additionalProperties", out var writerAdditional) && writerAdditional.ValueKind == JsonValueKind.False) && Types(writer)?.Contains("object") == true)
            {
                return $"{path}: the writer allows additional properties and the reader does not";
            }
        }

        return null;
    }

    private static string? Items(JsonElement reader, JsonElement writer, string path) =>
        reader.TryGetProperty("items", out var readerItems) && readerItems.ValueKind == JsonValueKind.Object
            ? writer.TryGetProperty("items", out var writerItems) && writerItems.ValueKind == JsonValueKind.Object
                ? CanRead(readerItems, writerItems, $"{path}[]")
                : $"{path}[]: the reader constrains items the writer leaves open"
            : null;

    private static bool IsAnything(JsonElement schema) =>
        schema.ValueKind == JsonValueKind.True || (schema.ValueKind == JsonValueKind.Object && !schema.EnumerateObject().Any(p => p.Name is "type" or "properties" or "required" or "enum" or "items" or "additionalProperties" or "const"));

    private static HashSet<string>? Types(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object || !schema.TryGetProperty("type", out var type))
        {
            return null;
        }

        return type.ValueKind == JsonValueKind.Array
            ? [.. type.EnumerateArray().Select(t => t.GetString()!)]
            : [type.GetString()!];
    }

    private static Dictionary<string, JsonElement> PropertiesOf(JsonElement schema) =>
        schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object
            ? properties.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal)
            : new Dictionary<string, JsonElement>(StringComparer.Ordinal);

    private static HashSet<string> Required(JsonElement schema) =>
        schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array
            ? [.. required.EnumerateArray().Select(r => r.GetString()!)]
            : [];
}
