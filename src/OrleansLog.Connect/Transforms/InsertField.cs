using OrleansLog.Connect.Config;
using OrleansLog.Connect.Data;

namespace OrleansLog.Connect.Transforms;

/// <summary>Kafka's InsertField: adds the record's topic, partition, offset (sinks), timestamp and a static value as fields. A null (tombstone) passes unchanged.</summary>
public sealed class InsertField(RecordSide side, ConnectConfig config) : ITransform
{
    public static ConfigDef Config { get; } = new ConfigDef()
        .Define("topic.field", ConfigType.String, null, ConfigImportance.Medium, "Field name for the record's topic.")
        .Define("partition.field", ConfigType.String, null, ConfigImportance.Medium, "Field name for the record's partition.")
        .Define("offset.field", ConfigType.String, null, ConfigImportance.Medium, "Field name for the record's offset (sink connectors only).")
        .Define("timestamp.field", ConfigType.String, null, ConfigImportance.Medium, "Field name for the record's timestamp.")
        .Define("static.field", ConfigType.String, null, ConfigImportance.Medium, "Field name for a static value.")
        .Define("static.value", ConfigType.String, null, ConfigImportance.Medium, "The static value.");

    private readonly string? _topic = config.GetString("topic.field");
    private readonly string? _partition = config.GetString("partition.field");
    private readonly string? _offset = config.GetString("offset.field");
    private readonly string? _timestamp = config.GetString("timestamp.field");
    private readonly string? _static = config.GetString("static.field");
    private readonly string? _staticValue = config.GetString("static.value");

    public ConnectRecord? Apply(ConnectRecord record)
    {
        var (schema, value) = record.Get(side);
        if (value is null)
        {
            return record;
        }

        var fields = new ConnectStruct(RecordSides.RequireStruct(value, nameof(InsertField), side));
        var added = new List<ConnectField>();
        void Add(string? name, object? field, string type)
        {
            if (name is not null)
            {
                fields[name] = field;
                added.Add(new ConnectField(name, new ConnectSchema(type, Optional: true)));
            }
        }

        Add(_topic, record.Topic, ConnectTypes.String);
        Add(_partition, record is SinkRecord sink ? sink.KafkaPartition : record.Partition is { } p ? p : null, ConnectTypes.Int32);
        if (record is SinkRecord offsetOf)
        {
            Add(_offset, offsetOf.KafkaOffset, ConnectTypes.Int64);
        }

        Add(_timestamp, record.Timestamp, ConnectTypes.Int64);
        Add(_static, _staticValue, ConnectTypes.String);
        var newSchema = schema is null ? null : schema with { Fields = [.. schema.Fields.Where(f => added.All(a => a.Name != f.Name)), .. added] };
        return record.With(side, newSchema, fields);
    }
}
