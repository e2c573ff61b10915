using OrleansLog.Connect.Config;

namespace OrleansLog.Connect.Plugins;

/// <summary>
/// A kind of connector (Kafka Connect's Connector class): the settings it takes and how it splits its work into task
/// configurations. Stateless: one instance serves every connector of its kind.
/// </summary>
public abstract class ConnectorPlugin
{
    public const string SourceType = "source";
    public const string SinkType = "sink";

    /// <summary>The class name users give in <c>connector.class</c> (Kafka's names for Kafka's connectors).</summary>
    public abstract string ClassName { get; }

    /// <summary>"source" or "sink".</summary>
    public abstract string Type { get; }

    /// <summary>The connector's own settings (the common ones are added by the runtime).</summary>
    public abstract ConfigDef Config { get; }

    public virtual string Version => typeof(ConnectorPlugin).Assembly.GetName().Version?.ToString(3) ?? "1.0.0";

    /// <summary>Errors that involve more than one field, or the world outside (a file's folder), each for a field; empty when none.</summary>
    public virtual IEnumerable<(string Field, string Error)> CheckMore(ConnectConfig config, ConnectContext context) => [];

    /// <summary>At most <paramref name="maxTasks"/> task configurations (each added to the connector's settings for its task).</summary>
    public abstract IReadOnlyList<IReadOnlyDictionary<string, string>> TaskConfigs(ConnectConfig config, int maxTasks);
}

/// <summary>A connector that reads from outside and writes to topics.</summary>
public abstract class SourceConnectorPlugin : ConnectorPlugin
{
    public override string Type => SourceType;

    public abstract SourceTask CreateTask(ConnectContext context);
}

/// <summary>A connector that reads topics and writes outside.</summary>
public abstract class SinkConnectorPlugin : ConnectorPlugin
{
    public override string Type => SinkType;

    public abstract SinkTask CreateTask(ConnectContext context);
}
