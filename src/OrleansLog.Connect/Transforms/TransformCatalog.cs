using OrleansLog.Connect.Config;

namespace OrleansLog.Connect.Transforms;

/// <summary>The transforms and predicates a connector can name, by Kafka's class names (or the part after the package).</summary>
public static class TransformCatalog
{
    private const string Package = "org.apache.kafka.connect.transforms.";
    private const string PredicatePackage = "org.apache.kafka.connect.transforms.predicates.";

    public static IReadOnlyList<TransformPlugin> Transforms { get; } =
    [
        new(Package + "InsertField$Key", InsertField.Config, c => new InsertField(RecordSide.Key, c)),
        new(Package + "InsertField$Value", InsertField.Config, c => new InsertField(RecordSide.Value, c)),
        new(Package + "ReplaceField$Key", ReplaceField.Config, c => new ReplaceField(RecordSide.Key, c)),
        new(Package + "ReplaceField$Value", ReplaceField.Config, c => new ReplaceField(RecordSide.Value, c)),
        new(Package + "ExtractField$Key", ExtractField.Config, c => new ExtractField(RecordSide.Key, c)),
        new(Package + "ExtractField$Value", ExtractField.Config, c => new ExtractField(RecordSide.Value, c)),
        new(Package + "ValueToKey", ValueToKey.Config, c => new ValueToKey(c)),
        new(Package + "TimestampRouter", TimestampRouter.Config, c => new TimestampRouter(c)),
        new(Package + "RegexRouter", RegexRouter.Config, c => new RegexRouter(c)),
        new(Package + "Filter", Filter.Config, _ => new Filter()),
    ];

    public static IReadOnlyList<PredicatePlugin> Predicates { get; } =
    [
        new(PredicatePackage + "TopicNameMatches", TopicNameMatches.Config, c => new TopicNameMatches(c)),
        new(PredicatePackage + "HasHeaderKey", HasHeaderKey.Config, c => new HasHeaderKey(c)),
        new(PredicatePackage + "RecordIsTombstone", RecordIsTombstone.Config, _ => new RecordIsTombstone()),
    ];

    public static TransformPlugin? FindTransform(string? name) => Transforms.FirstOrDefault(t => Matches(t.Class, name));

    public static PredicatePlugin? FindPredicate(string? name) => Predicates.FirstOrDefault(p => Matches(p.Class, name));

    public static Func<object?, string?> KnownTransform { get; } =
        value => value is string name && FindTransform(name) is null ? $"Class {name} could not be found; known: {string.Join(", ", Transforms.Select(t => t.Class))}" : null;

    public static Func<object?, string?> KnownPredicate { get; } =
        value => value is string name && FindPredicate(name) is null ? $"Class {name} could not be found; known: {string.Join(", ", Predicates.Select(p => p.Class))}" : null;

    private static bool Matches(string className, string? name) =>
        name is not null && (className == name || className.EndsWith("." + name, StringComparison.Ordinal));
}
