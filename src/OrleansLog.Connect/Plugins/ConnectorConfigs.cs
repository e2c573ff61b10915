using System.Collections.Immutable;
using OrleansLog.Connect.Config;
using OrleansLog.Connect.Converters;
using OrleansLog.Connect.Transforms;

namespace OrleansLog.Connect.Plugins;

/// <summary>
/// The settings every connector takes (Kafka's ConnectorConfig, SinkConnectorConfig and the error-handling settings),
/// and the validation of a whole configuration: common settings, converters, transforms and predicates, and the
/// connector's own, each error reported on its field.
/// </summary>
public static class ConnectorConfigs
{
    public const string Name = "name";
    public const string Class = "connector.class";
    public const string TasksMax = "tasks.max";
    public const string KeyConverter = "key.converter";
    public const string ValueConverter = "value.converter";
    public const string Transforms = "transforms";
    public const string Predicates = "predicates";
    public const string RetryTimeout = "errors.retry.timeout";
    public const string RetryDelayMax = "errors.retry.delay.max.ms";
    public const string Tolerance = "errors.tolerance";
    public const string LogEnable = "errors.log.enable";
    public const string Topics = "topics";
    public const string TopicsRegex = "topics.regex";
    public const string DeadLetterTopic = "errors.deadletterqueue.topic.name";
    public const string DeadLetterReplication = "errors.deadletterqueue.topic.replication.factor";
    public const string DeadLetterHeaders = "errors.deadletterqueue.context.headers.enable";
    public const string TopicCreationPartitions = "topic.creation.default.partitions";
    public const string TopicCreationReplication = "topic.creation.default.replication.factor";

    private const string Common = "Common";
    private const string Errors = "Error Handling";

    /// <summary>The definition a configuration for <paramref name="plugin"/> is checked against (the transforms it names included).</summary>
    public static ConfigDef Definition(ConnectorPlugin plugin, IReadOnlyDictionary<string, string> config, int maxTasks)
    {
        var definition = new ConfigDef()
            .Require(Name, ConfigType.String, ConfigImportance.High, "Globally unique name to use for this connector.", value => ConnectorName.Check((string?)value), Common)
            .Require(Class, ConfigType.String, ConfigImportance.High, "Name or alias of the class for this connector.", group: Common)
            .Define(TasksMax, ConfigType.Int, "1", ConfigImportance.High, "Maximum number of tasks to use for this connector.", ConfigRules.Between(1, maxTasks), Common)
            .Define(new ConfigKey(KeyConverter, ConfigType.Class, ConfigImportance.Low, "Converter class for keys (StringConverter by default).", Common)
            { Default = ConverterFactory.StringClass, Rule = value => ConverterFactory.Check((string)value!, Prefixed(config, KeyConverter + ".")), Recommended = ConverterFactory.Known })
            .Define(new ConfigKey(ValueConverter, ConfigType.Class, ConfigImportance.Low, "Converter class for values (StringConverter by default).", Common)
            { Default = ConverterFactory.StringClass, Rule = value => ConverterFactory.Check((string)value!, Prefixed(config, ValueConverter + ".")), Recommended = ConverterFactory.Known })
            .Define(Transforms, ConfigType.List, "", ConfigImportance.Low, "Aliases for the transformations to be applied to records.",
                value => value is ImmutableArray<string> list && list.Length > ConnectLimits.MaxTransforms ? $"At most {ConnectLimits.MaxTransforms} transforms" : null, "Transforms")
            .Define(Predicates, ConfigType.List, "", ConfigImportance.Low, "Aliases for the predicates used by transformations.", group: "Predicates")
            .Define(RetryTimeout, ConfigType.Long, "0", ConfigImportance.Medium, "The maximum duration in milliseconds that a failed operation will be reattempted (-1: without limit).", ConfigRules.AtLeast(-1), Errors)
            .Define(RetryDelayMax, ConfigType.Long, "60000", ConfigImportance.Medium, "The maximum duration in milliseconds between consecutive retry attempts.", ConfigRules.AtLeast(1), Errors)
            .Define(new ConfigKey(Tolerance, ConfigType.String, ConfigImportance.Medium, "Behavior for tolerating errors: 'none' fails the task, 'all' skips problematic records.", Errors)
            { Default = "none", Rule = ConfigRules.OneOf("none", "all"), Recommended = ["none", "all"] })
            .Define(LogEnable, ConfigType.Boolean, "false", ConfigImportance.Medium, "Whether each error and the failed operation are written to the broker's log.", group: Errors);
        if (plugin is SinkConnectorPlugin)
        {
            definition
                .Define(Topics, ConfigType.List, "", ConfigImportance.High, "List of topics to consume, separated by commas.", group: Common)
                .Define(TopicsRegex, ConfigType.String, "", ConfigImportance.High, "Regular expression giving topics to consume.", ConfigRules.Regex, Common)
                .Define(DeadLetterTopic, ConfigType.String, "", ConfigImportance.Medium, "The topic records that fail conversion or transformation are written to (with errors.tolerance=all).", group: Errors)
                .Define(DeadLetterReplication, ConfigType.Int, "-1", ConfigImportance.Low, "Replicas of the dead-letter topic when it is created (-1: the broker's default).", value => value is int r && (r == -1 || r >= 1) ? null : "Value must be -1 or at least 1", Errors)
                .Define(DeadLetterHeaders, ConfigType.Boolean, "false", ConfigImportance.Low, "Whether dead-letter records carry headers saying what failed and where.", group: Errors);
        }

        else
        {
            definition
                .Define(TopicCreationPartitions, ConfigType.Int, "1", ConfigImportance.Low, "Partitions of the topics this source creates when they do not exist.", ConfigRules.Between(1, 10_000), "Topic Creation")
                .Define(TopicCreationReplication, ConfigType.Int, "-1", ConfigImportance.Low, "Replicas of the topics this source creates (-1: the broker's default).", value => value is int r && (r == -1 || r >= 1) ? null : "Value must be -1 or at least 1", "Topic Creation");
        }

        TransformChain.Describe(definition, config);
        foreach (var key in plugin.Config.Keys)
        {
            definition.Define(key with { Group = key.Group ?? plugin.ClassName[(plugin.ClassName.LastIndexOf('.') + 1)..] });
        }

        return definition;
    }

    /// <summary>Every field's value and errors, as Kafka Connect's validate endpoint answers.</summary>
    public static ConfigValidation Validate(ConnectorPlugin plugin, IReadOnlyDictionary<string, string> config, ConnectContext context)
    {
        var definition = Definition(plugin, config, context.Options.MaxTasksPerConnector);
        var reports = definition.Check(config).ToDictionary(r => r.Key.Name, r => (r.Key, r.Value, Errors: r.Errors.ToList()), StringComparer.Ordinal);
        void Add(string field, string error)
        {
            if (reports.TryGetValue(field, out var report))
            {
                report.Errors.Add(error);
            }
        }

        if (ConnectLimits.CheckSize(config) is { } tooBig)
        {
            Add(Name, tooBig);
        }

        if (reports.Values.All(r => r.Errors.Count == 0))
        {
            var parsed = definition.Parse(config);
            foreach (var (field, error) in CrossChecks(plugin, parsed).Concat(plugin.CheckMore(parsed, context)))
            {
                Add(field, error);
            }
        }

        var fields = reports.Values.Select(r => new ConfigFieldReport(
            new ConfigFieldDefinition(r.Key.Name, r.Key.Type.ToString().ToUpperInvariant(), r.Key.Required, r.Key.Default, r.Key.Importance.ToString().ToUpperInvariant(), r.Key.Documentation, r.Key.Group),
            new ConfigFieldValue(r.Key.Name, r.Value ?? r.Key.Default, [.. r.Key.Recommended], [.. r.Errors], true))).ToImmutableArray();
        return new ConfigValidation(plugin.ClassName, fields.Sum(f => f.Value.Errors.Length), [.. fields.Select(f => f.Definition.Group ?? Common).Distinct()], fields);
    }

    private static IEnumerable<(string Field, string Error)> CrossChecks(ConnectorPlugin plugin, ConnectConfig config)
    {
        if (plugin is not SinkConnectorPlugin)
        {
            yield break;
        }

        var topics = config.GetList(Topics);
        var regex = config.GetString(TopicsRegex) ?? "";
        if (topics.Length == 0 && regex.Length == 0)
        {
            yield return (Topics, "Must configure one of topics or topics.regex");
        }
        else if (topics.Length > 0 && regex.Length > 0)
        {
            yield return (Topics, "topics and topics.regex are mutually exclusive options, but both are set.");
        }

        if (config.GetString(DeadLetterTopic) is { Length: > 0 } deadLetters && topics.Contains(deadLetters))
        {
            yield return (DeadLetterTopic, $"The DLQ topic '{deadLetters}' may not be included in the list of topics ('{Topics}={string.Join(",", topics)}') consumed by the connector");
        }
    }

    private static Dictionary<string, string> Prefixed(IReadOnlyDictionary<string, string> config, string prefix) =>
        config.Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(e => e.Key[prefix.Length..], e => e.Value, StringComparer.Ordinal);
}
