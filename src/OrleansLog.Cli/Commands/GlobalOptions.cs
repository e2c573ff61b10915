using System.CommandLine;
using OrleansLog.Cli.Connection;

namespace OrleansLog.Cli.Commands;

/// <summary>Options every command takes: where the broker is.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string> Gateway = new("--gateway")
    {
        Description = $"The brokers' Orleans gateways as host:port, comma-separated (default: ORLEANSLOG_GATEWAY or {GatewayAddress.Default}).",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ORLEANSLOG_GATEWAY") is { Length: > 0 } env ? env : GatewayAddress.Default,
    };

    public static readonly Option<string> ClusterId = new("--cluster-id")
    {
        Description = "The cluster id the broker was started with (default: orleanslog).",
        Recursive = true,
        DefaultValueFactory = _ => "orleanslog",
    };
}
