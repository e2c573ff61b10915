using OrleansLog.Connect.Config;
using OrleansLog.Connect.Data;

namespace OrleansLog.Connect.Transforms;

/// <summary>Kafka's ReplaceField: keeps only <c>include</c>d fields (all when empty), drops <c>exclude</c>d ones, and renames (<c>renames=old:new,...</c>).</summary>
public sealed class ReplaceField : ITransform
{
    public static ConfigDef Config { get; } = new ConfigDef()
        .Define("exclude", ConfigType.List, "", ConfigImportance.Medium, "Fields to drop; they take precedence over include.")
        .Define("include", ConfigType.List, "", ConfigImportance.Medium, "Fields to keep; empty keeps all.")
        .Define("renames", ConfigType.List, "", ConfigImportance.Medium, "Renames, as old:new pairs.", RenamesRule);

    private readonly RecordSide _side;
    private readonly HashSet<string> _exclude;
    private readonly HashSet<string> _include;
    private readonly Dictionary<string, string> _renames;

    public ReplaceField(RecordSide side, ConnectConfig config)
    {
        _side = side;
        _exclude = [.. config.GetList("exclude")];
        _include = [.. config.GetList("include")];
        _renames = config.GetList("renames").Select(r => r.Split(':')).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
    }

    public ConnectRecord? Apply(ConnectRecord record)
    {
        var (schema, value) = record.Get(_side);
        if (value is null)
        {
            return record;
        }

        var fields = new ConnectStruct();
        foreach (var (name, field) in RecordSides.RequireStruct(value, nameof(ReplaceField), _side))
        {
            if (Keeps(name))
            {
                fields[Renamed(name)] = field;
            }
        }

        var newSchema = schema is null ? null : schema with { Fields = [.. schema.Fields.Where(f => Keeps(f.Name)).Select(f => f with { Name = Renamed(f.Name) })] };
        return record.With(_side, newSchema, fields);
    }

    private bool Keeps(string name) => !_exclude.Contains(name) && (_include.Count == 0 || _include.Contains(name));

    private string Renamed(string name) => _renames.GetValueOrDefault(name, name);

    private static string? RenamesRule(object? value) =>
        value is IEnumerable<string> pairs && pairs.Any(p => p.Split(':') is not [{ Length: > 0 }, { Length: > 0 }])
            ? "Invalid rename mapping: each must be old:new"
            : null;
}
