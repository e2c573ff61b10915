using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLog.Client;
using OrleansLog.Connect.Config;
using OrleansLog.Connect.Hosting;
using OrleansLog.Connect.Plugins;

namespace OrleansLog.Connect.Runtime;

/// <summary>
/// A broker's connector runtime: the plugins it runs, the context tasks get, the client they write and read with (over
/// the silo's grain factory), and the offsets store. Makes the worker of a task assignment. Thread-safe: immutable.
/// </summary>
public sealed class ConnectRuntime
{
    public ConnectRuntime(IGrainFactory grains, ConnectorPlugins plugins, IOptions<ConnectOptions> options, TimeProvider time, ILoggerFactory logging)
    {
        Plugins = plugins;
        Options = options.Value;
        Context = new ConnectContext(Options, time, logging);
        Client = new OrleansLogClient(grains);
        Offsets = new SourceOffsetStore(Client, Options.OffsetsTopic, Options.ReplicationFactor);
    }

    public ConnectorPlugins Plugins { get; }

    public ConnectOptions Options { get; }

    public ConnectContext Context { get; }

    public OrleansLogClient Client { get; }

    public SourceOffsetStore Offsets { get; }

    /// <summary>The worker that runs <paramref name="assignment"/>: the connector's settings with the task's over them, parsed against the connector's definition.</summary>
    public IConnectWorker CreateWorker(ConnectTaskAssignment assignment, PauseGate gate)
    {
        var settings = assignment.ConnectorConfig.SetItems(assignment.TaskConfig);
        var plugin = Plugins.Find(settings.GetValueOrDefault(ConnectorConfigs.Class))
            ?? throw new ConfigException($"Connector class {settings.GetValueOrDefault(ConnectorConfigs.Class)} is not one this broker runs.");
        var config = ConnectorConfigs.Definition(plugin, settings, Options.MaxTasksPerConnector).Parse(settings);
        return plugin switch
        {
            SourceConnectorPlugin source => new WorkerSourceTask(assignment.Id, source, config, Client, Offsets, Context, gate),
            SinkConnectorPlugin sink => new WorkerSinkTask(assignment.Id, sink, config, Client, Context, gate),
            _ => throw new ConfigException($"{plugin.ClassName} is neither a source nor a sink."),
        };
    }

    /// <summary>A validated configuration's parsed values, or the validation that refused it.</summary>
    public (ConnectConfig? Config, ConnectorPlugin? Plugin, ConfigValidation? Refused, string? Unknown) Check(IReadOnlyDictionary<string, string> config)
    {
        var className = config.GetValueOrDefault(ConnectorConfigs.Class);
        if (Plugins.Find(className) is not { } plugin)
        {
            return (null, null, null, className is null
                ? "Connector config is missing connector.class."
                : $"Failed to find any class that implements Connector and which name matches {className}; available: {string.Join(", ", Plugins.All.Select(p => p.ClassName))}");
        }

        var validation = ConnectorConfigs.Validate(plugin, config, Context);
        return validation.ErrorCount > 0
            ? (null, plugin, validation, null)
            : (ConnectorConfigs.Definition(plugin, config, Options.MaxTasksPerConnector).Parse(config), plugin, null, null);
    }

    /// <summary>Every error of a refused validation, one per line, field first (Kafka Connect's 400 message).</summary>
    public static string Describe(ConfigValidation validation) =>
        $"Connector configuration is invalid and contains the following {validation.ErrorCount} error(s):\n"
        + string.Join("\n", validation.Configs.SelectMany(c => c.Value.Errors.Select(e => $"{c.Definition.Name}: {e}")));

    public static ImmutableSortedDictionary<string, string> Sorted(IReadOnlyDictionary<string, string> config) =>
        config.ToImmutableSortedDictionary(StringComparer.Ordinal);
}
