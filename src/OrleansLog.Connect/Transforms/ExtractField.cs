using OrleansLog.Connect.Config;
using OrleansLog.Connect.Data;

namespace OrleansLog.Connect.Transforms;

/// <summary>Kafka's ExtractField: the key or value becomes one of its fields (null when the field is absent).</summary>
public sealed class ExtractField(RecordSide side, ConnectConfig config) : ITransform
{
    public static ConfigDef Config { get; } = new ConfigDef()
        .Require("field", ConfigType.String, ConfigImportance.Medium, "Field name to extract.", ConfigRules.NonEmpty);

    private readonly string _field = config.RequireString("field");

    public ConnectRecord? Apply(ConnectRecord record)
    {
        var (schema, value) = record.Get(side);
        if (value is null)
        {
            return record;
        }

        var fields = RecordSides.RequireStruct(value, nameof(ExtractField), side);
        return record.With(side, schema?.Field(_field), fields.GetValueOrDefault(_field));
    }
}
