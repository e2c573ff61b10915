using System.Buffers;
using System.Collections;
using System.Text.Json;
using OrleansLog.Connect.Data;

namespace OrleansLog.Connect.Converters;

/// <summary>
/// Kafka's JsonConverter: JSON values, with <c>schemas.enable</c> (the default) wrapped in Kafka Connect's envelope
/// <c>{"schema": ..., "payload": ...}</c> so a sink can rebuild typed values; bytes are base64 as in Kafka. Reads refuse
/// a document deeper than 64 levels (System.Text.Json's default), so a hostile record cannot exhaust the stack.
/// </summary>
public sealed class JsonConverter(bool schemasEnabled) : IConverter
{
    public const string SchemasEnable = "schemas.enable";

    ValueTask<byte[]?> IConverter.FromConnectAsync(string topic, ConnectSchema? schema, object? value) => ValueTask.FromResult(FromConnect(topic, schema, value));

    ValueTask<(ConnectSchema? Schema, object? Value)> IConverter.ToConnectAsync(string topic, byte[]? data) => ValueTask.FromResult(ToConnect(topic, data));

    public byte[]? FromConnect(string topic, ConnectSchema? schema, object? value)
    {
        if (value is null)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            if (schemasEnabled)
            {
                writer.WriteStartObject();
                writer.WritePropertyName("schema");
                WriteSchema(writer, schema);
                writer.WritePropertyName("payload");
                WriteValue(writer, value);
                writer.WriteEndObject();
            }
            else
            {
                WriteValue(writer, value);
            }
        }

        return buffer.WrittenSpan.ToArray();
    }

    public (ConnectSchema? Schema, object? Value) ToConnect(string topic, byte[]? data)
    {
        if (data is not { } bytes)
        {
            return (null, null);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw new DataException($"Converting byte[] to Kafka Connect data failed due to serialization error of topic {topic}: {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (!schemasEnabled)
            {
                return (null, ReadValue(root, null));
            }

            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("schema", out var schemaElement) || !root.TryGetProperty("payload", out var payload))
            {
                throw new DataException("JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.");
            }

            var schema = ReadSchema(schemaElement);
            return (schema, ReadValue(payload, schema));
        }
    }

    /// <summary>A value as compact JSON text (the string converter's way with structs and lists).</summary>
    public static string ToJsonText(object? value)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteValue(writer, value);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case long or int or short or sbyte or byte or ushort or uint:
                writer.WriteNumberValue(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
            case double d:
                writer.WriteNumberValue(d);
                break;
            case float f:
                writer.WriteNumberValue(f);
                break;
            case decimal m:
                writer.WriteNumberValue(m);
                break;
            case byte[] bytes:
                writer.WriteBase64StringValue(bytes);
                break;
            case ConnectStruct fields:
                writer.WriteStartObject();
                foreach (var (name, field) in fields)
                {
                    writer.WritePropertyName(name);
                    WriteValue(writer, field);
                }

                writer.WriteEndObject();
                break;
            case IEnumerable items:
                writer.WriteStartArray();
                foreach (var item in items)
                {
                    WriteValue(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                writer.WriteStringValue(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
        }
    }

    /// <summary>Kafka's schema JSON; a struct's field is its schema with <c>"field"</c> beside it.</summary>
    private static void WriteSchema(Utf8JsonWriter writer, ConnectSchema? schema, string? field = null)
    {
        if (schema is null)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteStartObject();
        writer.WriteString("type", schema.Type);
        switch (schema.Type)
        {
            case ConnectTypes.Struct:
                writer.WriteStartArray("fields");
                foreach (var member in schema.Fields)
                {
                    WriteSchema(writer, member.Schema, member.Name);
                }

                writer.WriteEndArray();
                break;
            case ConnectTypes.Array:
                writer.WritePropertyName("items");
                WriteSchema(writer, schema.Items);
                break;
            case ConnectTypes.Map:
                writer.WritePropertyName("keys");
                WriteSchema(writer, schema.Keys);
                writer.WritePropertyName("values");
                WriteSchema(writer, schema.Items);
                break;
        }

        writer.WriteBoolean("optional", schema.Optional);
        if (schema.Name is not null)
        {
            writer.WriteString("name", schema.Name);
        }

        if (field is not null)
        {
            writer.WriteString("field", field);
        }

        writer.WriteEndObject();
    }

    private static ConnectSchema? ReadSchema(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
        {
            throw new DataException("Schema must contain 'type' field");
        }

        var optional = element.TryGetProperty("optional", out var o) && o.ValueKind == JsonValueKind.True;
        var name = element.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        var schema = new ConnectSchema(type.GetString()!, optional, name);
        return schema.Type switch
        {
            ConnectTypes.Struct => schema with { Fields = [.. ReadFields(element)] },
            ConnectTypes.Array => schema with { Items = element.TryGetProperty("items", out var items) ? ReadSchema(items) : throw new DataException("Array schema did not specify the element type") },
            ConnectTypes.Map => schema with
            {
                Keys = element.TryGetProperty("keys", out var keys) ? ReadSchema(keys) : null,
                Items = element.TryGetProperty("values", out var values) ? ReadSchema(values) : null,
            },
            ConnectTypes.Int8 or ConnectTypes.Int16 or ConnectTypes.Int32 or ConnectTypes.Int64 or ConnectTypes.Float32 or ConnectTypes.Float64
                or ConnectTypes.Boolean or ConnectTypes.String or ConnectTypes.Bytes => schema,
            _ => throw new DataException($"Unknown schema type: {schema.Type}"),
        };
    }

    private static IEnumerable<ConnectField> ReadFields(JsonElement element)
    {
        if (!element.TryGetProperty("fields", out var fields) || fields.ValueKind != JsonValueKind.Array)
        {
            throw new DataException("Struct schema's \"fields\" argument is not an array.");
        }

        foreach (var field in fields.EnumerateArray())
        {
            if (!field.TryGetProperty("field", out var name) || name.ValueKind != JsonValueKind.String)
            {
                throw new DataException("Struct schema's field name not specified properly");
            }

            yield return new ConnectField(name.GetString()!, ReadSchema(field)!);
        }
    }

    /// <summary>A JSON value read as <paramref name="schema"/> says (schemaless when null).</summary>
    internal static object? ReadTyped(JsonElement element, ConnectSchema? schema) => ReadValue(element, schema);

    private static object? ReadValue(JsonElement element, ConnectSchema? schema)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            return schema is null || schema.Optional ? null : throw new DataException($"Invalid null value for required {schema.Type} field");
        }

        if (schema is null)
        {
            return element.ValueKind switch
            {
                JsonValueKind.Object => new ConnectStruct(element.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, ReadValue(p.Value, null)))),
                JsonValueKind.Array => element.EnumerateArray().Select(e => ReadValue(e, null)).ToList(),
                JsonValueKind.String => element.GetString(),
                JsonValueKind.Number => element.TryGetInt64(out var l) ? (object)l : element.GetDouble(),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => null,
            };
        }

        try
        {
            return schema.Type switch
            {
                ConnectTypes.Int8 or ConnectTypes.Int16 or ConnectTypes.Int32 or ConnectTypes.Int64 => element.GetInt64(),
                ConnectTypes.Float32 or ConnectTypes.Float64 => element.GetDouble(),
                ConnectTypes.Boolean => element.GetBoolean(),
                ConnectTypes.String => element.GetString(),
                ConnectTypes.Bytes => element.GetBytesFromBase64(),
                ConnectTypes.Array => element.EnumerateArray().Select(e => ReadValue(e, schema.Items)).ToList(),
                ConnectTypes.Map => new ConnectStruct(element.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, ReadValue(p.Value, schema.Items)))),
                _ => new ConnectStruct(schema.Fields.Select(f => KeyValuePair.Create(f.Name,
                    element.TryGetProperty(f.Name, out var v) ? ReadValue(v, f.Schema) : f.Schema.Optional ? null : throw new DataException($"Missing required field \"{f.Name}\"")))),
            };
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new DataException($"Invalid JSON for a {schema.Type} value: {element.GetRawText()[..Math.Min(80, element.GetRawText().Length)]}", e);
        }
    }
}
