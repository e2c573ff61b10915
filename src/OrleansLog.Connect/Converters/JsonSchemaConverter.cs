using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansLog.Connect.Data;

namespace OrleansLog.Connect.Converters;

/// <summary>
/// Confluent's JsonSchemaConverter: JSON payloads whose JSON Schema is in the registry. Connect types the JSON Schema
/// cannot tell apart (int8…int64, float32/64, bytes) carry Confluent's <c>connect.type</c> annotation; an optional
/// field is <c>oneOf [null, T]</c>; a struct's name is its <c>title</c>.
/// </summary>
public sealed class JsonSchemaConverter(ISchemaStore store, bool isKey) : RegistryConverter<JsonNode>(store, isKey, "JSON")
{
    public const string ClassName = "io.confluent.connect.json.JsonSchemaConverter";

    protected override (string Text, JsonNode Parsed) Describe(ConnectSchema schema)
    {
        var node = ToJsonSchema(schema, withOptional: false);
        return (node.ToJsonString(), node);
    }

    protected override (ConnectSchema Schema, JsonNode Parsed) Parse(string text)
    {
        var node = JsonNode.Parse(text) ?? throw new DataException("An empty JSON Schema.");
        return (FromJsonSchema(node, optional: false), node);
    }

    protected override byte[] Write(JsonNode parsed, ConnectSchema schema, object value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            JsonConverter.WriteValue(writer, value);
        }

        return buffer.WrittenSpan.ToArray();
    }

    protected override object? Read(JsonNode parsed, ConnectSchema schema, ReadOnlyMemory<byte> payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            return JsonConverter.ReadTyped(document.RootElement, schema);
        }
        catch (JsonException e)
        {
            throw new DataException($"A JSON Schema payload is not JSON: {e.Message}", e);
        }
    }

    private static JsonObject ToJsonSchema(ConnectSchema schema, bool withOptional)
    {
        JsonObject node = schema.Type switch
        {
            ConnectTypes.Struct => new JsonObject
            {
                ["type"] = "object",
                ["title"] = schema.Name,
                ["properties"] = new JsonObject(schema.Fields.Select(f => KeyValuePair.Create(f.Name, (JsonNode?)ToJsonSchema(f.Schema, withOptional: true)))),
                ["required"] = new JsonArray([.. schema.Fields.Where(f => !f.Schema.Optional).Select(f => (JsonNode)f.Name)]),
            },
            ConnectTypes.Array => new JsonObject { ["type"] = "array", ["items"] = ToJsonSchema(schema.Items!, withOptional: true) },
            ConnectTypes.Map => new JsonObject { ["type"] = "object", ["additionalProperties"] = ToJsonSchema(schema.Items!, withOptional: true), ["connect.type"] = "map" },
            ConnectTypes.Boolean => new JsonObject { ["type"] = "boolean" },
            ConnectTypes.String => new JsonObject { ["type"] = "string" },
            ConnectTypes.Bytes => new JsonObject { ["type"] = "string", ["connect.type"] = "bytes" },
            ConnectTypes.Float32 or ConnectTypes.Float64 => new JsonObject { ["type"] = "number", ["connect.type"] = schema.Type },
            _ => new JsonObject { ["type"] = "integer", ["connect.type"] = schema.Type },
        };
        if (schema.Type == ConnectTypes.Struct && schema.Name is null)
        {
            node.Remove("title");
        }

        return withOptional && schema.Optional ? new JsonObject { ["oneOf"] = new JsonArray(new JsonObject { ["type"] = "null" }, node) } : node;
    }

    private static ConnectSchema FromJsonSchema(JsonNode node, bool optional)
    {
        if (node["oneOf"] is JsonArray { Count: 2 } union && union.FirstOrDefault(n => n?["type"]?.GetValue<string>() != "null") is { } inner)
        {
            return FromJsonSchema(inner, optional: true);
        }

        var connectType = node["connect.type"]?.GetValue<string>();
        return node["type"]?.GetValue<string>() switch
        {
            "object" when connectType == "map" => new ConnectSchema(ConnectTypes.Map, optional) { Keys = new ConnectSchema(ConnectTypes.String), Items = FromJsonSchema(node["additionalProperties"]!, false) },
            "object" => new ConnectSchema(ConnectTypes.Struct, optional, node["title"]?.GetValue<string>())
            {
                Fields = [.. (node["properties"] as JsonObject ?? []).Select(p => new ConnectField(p.Key, FromJsonSchema(p.Value!, false)))],
            },
            "array" => new ConnectSchema(ConnectTypes.Array, optional) { Items = FromJsonSchema(node["items"]!, false) },
            "boolean" => new ConnectSchema(ConnectTypes.Boolean, optional),
            "string" => new ConnectSchema(connectType == "bytes" ? ConnectTypes.Bytes : ConnectTypes.String, optional),
            "number" => new ConnectSchema(connectType ?? ConnectTypes.Float64, optional),
            "integer" => new ConnectSchema(connectType ?? ConnectTypes.Int64, optional),
            var other => throw new DataException($"The JSON Schema type {other ?? "(none)"} has no Connect type here."),
        };
    }
}
