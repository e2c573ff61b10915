using System.Collections.Immutable;
using OrleansLog.Connect.Files;
using OrleansLog.Connect.Http;
using OrleansLog.Connect.Postgres;

namespace OrleansLog.Connect.Plugins;

/// <summary>The connector classes the cluster runs, found by their class name, the part after the package, or that without "Connector" (Kafka Connect's aliases).</summary>
public sealed class ConnectorPlugins(IEnumerable<ConnectorPlugin> plugins)
{
    private readonly ImmutableArray<ConnectorPlugin> _plugins = [.. plugins];

    public static ConnectorPlugins Shipped { get; } = new([new FileStreamSourceConnector(), new FileStreamSinkConnector(), new HttpSinkConnector(), new PostgresSourceConnector(), new PostgresSinkConnector()]);

    public IReadOnlyList<ConnectorPlugin> All => _plugins;

    public ConnectorPlugin? Find(string? name) =>
        name is null ? null : _plugins.FirstOrDefault(p => p.ClassName == name || Short(p.ClassName) == name || Short(p.ClassName) == name + "Connector");

    private static string Short(string className) => className[(className.LastIndexOf('.') + 1)..];
}
