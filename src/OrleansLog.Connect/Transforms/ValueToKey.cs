using OrleansLog.Connect.Config;
using OrleansLog.Connect.Converters;
using OrleansLog.Connect.Data;

namespace OrleansLog.Connect.Transforms;

/// <summary>Kafka's ValueToKey: the key becomes a struct of the named fields of the value.</summary>
public sealed class ValueToKey(ConnectConfig config) : ITransform
{
    public static ConfigDef Config { get; } = new ConfigDef()
        .Require("fields", ConfigType.List, ConfigImportance.High, "Field names of the value to put in the key.", value => value is IEnumerable<string> list && !list.Any() ? "at least one field is needed" : null);

    private readonly IReadOnlyList<string> _fields = config.GetList("fields");

    public ConnectRecord? Apply(ConnectRecord record)
    {
        var value = RecordSides.RequireStruct(record.Value, nameof(ValueToKey), RecordSide.Value);
        var key = new ConnectStruct();
        foreach (var name in _fields)
        {
            key[name] = value.TryGetValue(name, out var field) ? field : throw new DataException($"ValueToKey: the value has no field \"{name}\".");
        }

        var keySchema = record.ValueSchema is { } schema
            ? ConnectSchema.Struct(null, [.. _fields.Select(name => new ConnectField(name, schema.Field(name) ?? new ConnectSchema(ConnectTypes.String, true)))])
            : null;
        return record with { KeySchema = keySchema, Key = key };
    }
}
