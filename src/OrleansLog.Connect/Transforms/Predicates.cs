using System.Text.RegularExpressions;
using OrleansLog.Connect.Config;
using OrleansLog.Connect.Data;

namespace OrleansLog.Connect.Transforms;

/// <summary>A condition on a record that decides whether a transform applies (Kafka's Predicate).</summary>
public interface IPredicate
{
    bool Test(ConnectRecord record);
}

/// <summary>A predicate's settings and how to make one from them.</summary>
public sealed record PredicatePlugin(string Class, ConfigDef Config, Func<ConnectConfig, IPredicate> Create);

/// <summary>Kafka's TopicNameMatches: the whole topic name matches <c>pattern</c>.</summary>
public sealed class TopicNameMatches(ConnectConfig config) : IPredicate
{
    public static ConfigDef Config { get; } = new ConfigDef()
        .Require("pattern", ConfigType.String, ConfigImportance.Medium, "A regular expression for matching the topic name.", ConfigRules.Regex);

    private readonly Regex _pattern = new($"^(?:{config.RequireString("pattern")})$", RegexOptions.CultureInvariant, ConnectLimits.RegexTimeout);

    public bool Test(ConnectRecord record) => _pattern.IsMatch(record.Topic);
}

/// <summary>Kafka's HasHeaderKey: the record has a header named <c>name</c>.</summary>
public sealed class HasHeaderKey(ConnectConfig config) : IPredicate
{
    public static ConfigDef Config { get; } = new ConfigDef()
        .Require("name", ConfigType.String, ConfigImportance.Medium, "The header name.", ConfigRules.NonEmpty);

    private readonly string _name = config.RequireString("name");

    public bool Test(ConnectRecord record) => record.Headers.Any(h => h.Key == _name);
}

/// <summary>Kafka's RecordIsTombstone: the value is null.</summary>
public sealed class RecordIsTombstone : IPredicate
{
    public static ConfigDef Config { get; } = new();

    public bool Test(ConnectRecord record) => record.Value is null;
}
