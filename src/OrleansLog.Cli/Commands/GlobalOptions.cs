using System.CommandLine;
using OrleansLog.Cli.Connection;

namespace OrleansLog.Cli.Commands;

/// <summary>Options every command takes: where the broker is, the client certificate its gateways may require, and the user to sign in as.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string> Gateway = new("--gateway")
    {
        Description = $"The brokers' Orleans gateways as host:port, comma-separated (default: ORLEANSLOG_GATEWAY or {GatewayAddress.Default}).",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ORLEANSLOG_GATEWAY") is { Length: > 0 } env ? env : GatewayAddress.Default,
    };

    public static readonly Option<string?> TlsCertificate = new("--tls-cert")
    {
        Description = "A client certificate (PEM) for brokers whose gateways require mutual TLS (default: ORLEANSLOG_TLS_CERT).",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ORLEANSLOG_TLS_CERT") is { Length: > 0 } env ? env : null,
    };

    public static readonly Option<string?> TlsKey = new("--tls-key")
    {
        Description = "The key of --tls-cert (PEM; default: ORLEANSLOG_TLS_KEY).",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ORLEANSLOG_TLS_KEY") is { Length: > 0 } env ? env : null,
    };

    public static readonly Option<string?> TlsCa = new("--tls-ca")
    {
        Description = "The authority the gateways' certificates chain to (PEM; default: ORLEANSLOG_TLS_CA, else the system's).",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ORLEANSLOG_TLS_CA") is { Length: > 0 } env ? env : null,
    };

    public static readonly Option<string?> User = new("--user")
    {
        Description = "Sign in to the cluster as this user, with the password in ORLEANSLOG_PASSWORD (default: ORLEANSLOG_USER); needed once the brokers check ACLs.",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ORLEANSLOG_USER") is { Length: > 0 } env ? env : null,
    };

    public static readonly Option<string> ClusterId = new("--cluster-id")
    {
        Description = "The cluster id the broker was started with (default: orleanslog).",
        Recursive = true,
        DefaultValueFactory = _ => "orleanslog",
    };
}
