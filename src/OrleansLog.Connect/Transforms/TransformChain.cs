using OrleansLog.Connect.Config;
using OrleansLog.Connect.Data;

namespace OrleansLog.Connect.Transforms;

/// <summary>
/// A connector's transforms in order (<c>transforms=a,b</c>), each applied only where its predicate says so
/// (<c>transforms.a.predicate</c>, negated by <c>transforms.a.negate</c>). A record a transform drops goes no further.
/// Made per task; not thread-safe.
/// </summary>
public sealed class TransformChain(IReadOnlyList<(ITransform Transform, IPredicate? Predicate, bool Negate)> steps)
{
    public static TransformChain Empty { get; } = new([]);

    public ConnectRecord? Apply(ConnectRecord record)
    {
        ConnectRecord? current = record;
        foreach (var (transform, predicate, negate) in steps)
        {
            if (predicate is null || predicate.Test(current) != negate)
            {
                current = transform.Apply(current);
                if (current is null)
                {
                    return null;
                }
            }
        }

        return current;
    }

    /// <summary>The chain a connector's validated configuration names.</summary>
    public static TransformChain Create(IReadOnlyDictionary<string, string> config)
    {
        var aliases = List(config, "transforms");
        if (aliases.Count == 0)
        {
            return Empty;
        }

        var predicates = List(config, "predicates").ToDictionary(alias => alias, alias =>
        {
            var prefix = $"predicates.{alias}.";
            var plugin = TransformCatalog.FindPredicate(config.GetValueOrDefault(prefix + "type")) ?? throw new ConfigException($"Unknown predicate class for \"{alias}\".");
            return plugin.Create(plugin.Config.Parse(WithPrefix(config, prefix)));
        });

        return new TransformChain([.. aliases.Select(alias =>
        {
            var prefix = $"transforms.{alias}.";
            var plugin = TransformCatalog.FindTransform(config.GetValueOrDefault(prefix + "type")) ?? throw new ConfigException($"Unknown transform class for \"{alias}\".");
            var predicate = config.GetValueOrDefault(prefix + "predicate") is { Length: > 0 } name
                ? predicates.GetValueOrDefault(name) ?? throw new ConfigException($"Transform \"{alias}\" names predicate \"{name}\", which is not in predicates.")
                : null;
            var negate = config.GetValueOrDefault(prefix + "negate") is { } text && bool.Parse(text);
            return (plugin.Create(plugin.Config.Parse(WithPrefix(config, prefix))), predicate, negate);
        })]);
    }

    /// <summary>Adds to <paramref name="definition"/> the settings of every transform and predicate <paramref name="config"/> names, so they are checked field by field.</summary>
    public static void Describe(ConfigDef definition, IReadOnlyDictionary<string, string> config)
    {
        var predicates = List(config, "predicates");
        foreach (var alias in List(config, "transforms"))
        {
            var prefix = $"transforms.{alias}.";
            definition.Require(prefix + "type", ConfigType.Class, ConfigImportance.High, "Class for the transformation.", TransformCatalog.KnownTransform, "Transforms: " + alias);
            definition.Define(prefix + "predicate", ConfigType.String, "", ConfigImportance.Medium, "The alias of a predicate used to decide whether to apply this transformation.",
                value => value is string name && name.Length > 0 && !predicates.Contains(name) ? $"Predicate \"{name}\" is not in predicates." : null, "Transforms: " + alias);
            definition.Define(prefix + "negate", ConfigType.Boolean, "false", ConfigImportance.Medium, "Whether the predicate is negated.", group: "Transforms: " + alias);
            if (TransformCatalog.FindTransform(config.GetValueOrDefault(prefix + "type")) is { } plugin)
            {
                definition.Embed(prefix, "Transforms: " + alias, plugin.Config);
            }
        }

        foreach (var alias in predicates)
        {
            var prefix = $"predicates.{alias}.";
            definition.Require(prefix + "type", ConfigType.Class, ConfigImportance.High, "Class for the predicate.", TransformCatalog.KnownPredicate, "Predicates: " + alias);
            if (TransformCatalog.FindPredicate(config.GetValueOrDefault(prefix + "type")) is { } plugin)
            {
                definition.Embed(prefix, "Predicates: " + alias, plugin.Config);
            }
        }
    }

    private static List<string> List(IReadOnlyDictionary<string, string> config, string key) =>
        config.TryGetValue(key, out var text) ? [.. text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct()] : [];

    private static Dictionary<string, string> WithPrefix(IReadOnlyDictionary<string, string> config, string prefix) =>
        config.Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(e => e.Key[prefix.Length..], e => e.Value, StringComparer.Ordinal);
}
