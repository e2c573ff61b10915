using System.Text.Json.Nodes;
using Avro;
using Avro.Generic;
using Avro.IO;
using OrleansLog.Connect.Data;

namespace OrleansLog.Connect.Converters;

/// <summary>
/// Confluent's AvroConverter: Avro binary payloads whose schema is in the registry, written and read with Apache.Avro's
/// generic records. Structs are records (named by the Connect schema's name, else ConnectDefault), an optional field is
/// the union [null, T] with a null default, int8/int16/int32 are Avro ints, arrays and maps are Avro's.
/// </summary>
public sealed class AvroConverter(ISchemaStore store, bool isKey) : RegistryConverter<Schema>(store, isKey, "AVRO")
{
    public const string ClassName = "io.confluent.connect.avro.AvroConverter";

    protected override (string Text, Schema Parsed) Describe(ConnectSchema schema)
    {
        var text = ToAvro(schema, "ConnectDefault").ToJsonString();
        return (text, Schema.Parse(text));
    }

    protected override (ConnectSchema Schema, Schema Parsed) Parse(string text)
    {
        var parsed = Schema.Parse(text);
        return (FromAvro(parsed, optional: false), parsed);
    }

    protected override byte[] Write(Schema parsed, ConnectSchema schema, object value)
    {
        using var stream = new MemoryStream();
        try
        {
            new GenericDatumWriter<object>(parsed).Write(ToAvroValue(parsed, value)!, new BinaryEncoder(stream));
        }
        catch (AvroException e)
        {
            throw new DataException($"The value does not fit its Avro schema: {e.Message}", e);
        }

        return stream.ToArray();
    }

    protected override object? Read(Schema parsed, ConnectSchema schema, ReadOnlyMemory<byte> payload)
    {
        try
        {
            using var stream = new MemoryStream(payload.ToArray(), writable: false);
            return FromAvroValue(new GenericDatumReader<object>(parsed, parsed).Read(null!, new BinaryDecoder(stream)));
        }
        catch (Exception e) when (e is AvroException or EndOfStreamException or InvalidCastException)
        {
            throw new DataException($"An Avro payload does not match schema: {e.Message}", e);
        }
    }

    private static JsonNode ToAvro(ConnectSchema schema, string recordName)
    {
        JsonNode type = schema.Type switch
        {
            ConnectTypes.Struct => Record(schema, recordName),
            ConnectTypes.Array => new JsonObject { ["type"] = "array", ["items"] = ToAvro(schema.Items!, recordName + "_items") },
            ConnectTypes.Map => new JsonObject { ["type"] = "map", ["values"] = ToAvro(schema.Items!, recordName + "_values") },
            ConnectTypes.Int8 or ConnectTypes.Int16 or ConnectTypes.Int32 => new JsonObject { ["type"] = "int", ["connect.type"] = schema.Type },
            ConnectTypes.Int64 => "long",
            ConnectTypes.Float32 => "float",
            ConnectTypes.Float64 => "double",
            ConnectTypes.Boolean => "boolean",
            ConnectTypes.Bytes => "bytes",
            _ => "string",
        };
        return schema.Optional ? new JsonArray("null", type) : type;
    }

    private static JsonObject Record(ConnectSchema schema, string fallbackName)
    {
        var full = schema.Name ?? fallbackName;
        var dot = full.LastIndexOf('.');
        var record = new JsonObject { ["type"] = "record", ["name"] = Sanitize(dot < 0 ? full : full[(dot + 1)..]) };
        if (dot > 0)
        {
            record["namespace"] = string.Join('.', full[..dot].Split('.').Select(Sanitize));
        }

        record["fields"] = new JsonArray([.. schema.Fields.Select(f =>
        {
            var field = new JsonObject { ["name"] = Sanitize(f.Name), ["type"] = ToAvro(f.Schema, Sanitize(f.Name)) };
            if (f.Schema.Optional)
            {
                field["default"] = null;
            }

            return (JsonNode)field;
        })]);
        return record;
    }

    /// <summary>A name as Avro allows it: letters, digits and underscores, not starting with a digit.</summary>
    private static string Sanitize(string name)
    {
        var clean = new string([.. name.Select(c => char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_')]);
        return clean.Length == 0 || char.IsAsciiDigit(clean[0]) ? "_" + clean : clean;
    }

    private static object? ToAvroValue(Schema schema, object? value)
    {
        if (value is null)
        {
            return null;
        }

        switch (schema)
        {
            case UnionSchema union:
                return ToAvroValue(union.Schemas.First(s => s.Tag != Schema.Type.Null), value);
            case RecordSchema record:
                var fields = value as ConnectStruct ?? throw new DataException($"A struct was expected for record {record.Fullname}.");
                var generic = new GenericRecord(record);
                foreach (var field in record.Fields)
                {
                    generic.Add(field.Name, ToAvroValue(field.Schema, fields.GetValueOrDefault(field.Name)));
                }

                return generic;
            case ArraySchema array:
                return ((System.Collections.IEnumerable)value).Cast<object?>().Select(v => ToAvroValue(array.ItemSchema, v)).ToArray();
            case MapSchema map:
                return ((ConnectStruct)value).ToDictionary(e => e.Key, e => ToAvroValue(map.ValueSchema, e.Value));
            default:
                return schema.Tag switch
                {
                    Schema.Type.Int => Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture),
                    Schema.Type.Long => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture),
                    Schema.Type.Float => Convert.ToSingle(value, System.Globalization.CultureInfo.InvariantCulture),
                    Schema.Type.Double => Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture),
                    _ => value,
                };
        }
    }

    private static object? FromAvroValue(object? value) => value switch
    {
        GenericRecord record => new ConnectStruct(record.Schema.Fields.Select(f => KeyValuePair.Create(f.Name, FromAvroValue(record.GetValue(f.Pos))))),
        IDictionary<string, object> map => new ConnectStruct(map.Select(e => KeyValuePair.Create(e.Key, FromAvroValue(e.Value)))),
        object[] items => items.Select(FromAvroValue).ToList(),
        int i => (long)i,
        float f => (double)f,
        _ => value,
    };

    private static ConnectSchema FromAvro(Schema schema, bool optional) => schema switch
    {
        UnionSchema union when union.Schemas.Count == 2 && union.Schemas.Any(s => s.Tag == Schema.Type.Null) =>
            FromAvro(union.Schemas.First(s => s.Tag != Schema.Type.Null), optional: true),
        RecordSchema record => new ConnectSchema(ConnectTypes.Struct, optional, record.Fullname)
        {
            Fields = [.. record.Fields.Select(f => new ConnectField(f.Name, FromAvro(f.Schema, false)))],
        },
        ArraySchema array => new ConnectSchema(ConnectTypes.Array, optional) { Items = FromAvro(array.ItemSchema, false) },
        MapSchema map => new ConnectSchema(ConnectTypes.Map, optional) { Keys = new ConnectSchema(ConnectTypes.String), Items = FromAvro(map.ValueSchema, false) },
        _ => new ConnectSchema(schema.Tag switch
        {
            Schema.Type.Int => schema.GetProperty("connect.type")?.Trim('"') ?? ConnectTypes.Int32,
            Schema.Type.Long => ConnectTypes.Int64,
            Schema.Type.Float => ConnectTypes.Float32,
            Schema.Type.Double => ConnectTypes.Float64,
            Schema.Type.Boolean => ConnectTypes.Boolean,
            Schema.Type.Bytes => ConnectTypes.Bytes,
            Schema.Type.String => ConnectTypes.String,
            var other => throw new DataException($"The Avro type {other} has no Connect type here."),
        }, optional),
    };
}
