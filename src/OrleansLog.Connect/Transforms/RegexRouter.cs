using System.Text.RegularExpressions;
using OrleansLog.Connect.Config;
using OrleansLog.Connect.Data;

namespace OrleansLog.Connect.Transforms;

/// <summary>Kafka's RegexRouter: a topic the whole of which matches <c>regex</c> becomes <c>replacement</c> (with $1 for groups); others pass unchanged.</summary>
public sealed class RegexRouter(ConnectConfig config) : ITransform
{
    public static ConfigDef Config { get; } = new ConfigDef()
        .Require("regex", ConfigType.String, ConfigImportance.High, "Regular expression to match the topic with.", ConfigRules.Regex)
        .Require("replacement", ConfigType.String, ConfigImportance.High, "Replacement string.");

    private readonly Regex _regex = new($"^(?:{config.RequireString("regex")})$", RegexOptions.CultureInvariant, ConnectLimits.RegexTimeout);
    private readonly string _replacement = config.RequireString("replacement");

    public ConnectRecord? Apply(ConnectRecord record) =>
        _regex.IsMatch(record.Topic) ? record with { Topic = _regex.Replace(record.Topic, _replacement) } : record;
}
