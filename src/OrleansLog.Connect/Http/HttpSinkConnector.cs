using OrleansLog.Connect.Config;
using OrleansLog.Connect.Hosting;
using OrleansLog.Connect.Plugins;

namespace OrleansLog.Connect.Http;

/// <summary>
/// Sends records to an HTTP endpoint: each batch is one POST of a JSON array of
/// <c>{"topic","partition","offset","timestamp","key","value"}</c>, keys and values as JSON. A batch is done when the
/// endpoint answers 2xx; 408, 429, 5xx and network failures are retried (<c>errors.retry.timeout</c>), any other answer
/// fails the task. Tasks split the topics' partitions through the sink's group. Only hosts the brokers allow
/// (<c>OrleansLog:Connect:AllowedHosts</c>) can be named, and redirects are not followed, so a connector cannot be
/// pointed at the cluster's internal network.
/// </summary>
public sealed class HttpSinkConnector : SinkConnectorPlugin
{
    public const string Url = "http.url";
    public const string Timeout = "http.timeout.ms";
    public const string Authorization = "http.authorization";

    public override string ClassName => "OrleansLog.Connect.Http.HttpSinkConnector";

    public override ConfigDef Config { get; } = new ConfigDef()
        .Require(Url, ConfigType.String, ConfigImportance.High, "The URL records are POSTed to (http or https).", value => Uri.TryCreate((string?)value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? null : "Expected an absolute http or https URL")
        .Define(Timeout, ConfigType.Int, "30000", ConfigImportance.Medium, "How long one POST may take, in milliseconds.", ConfigRules.Between(100, 600_000))
        .Define(Authorization, ConfigType.Password, null, ConfigImportance.Medium, "The Authorization header to send, if any (\"Bearer ...\").");

    public override IEnumerable<(string Field, string Error)> CheckMore(ConnectConfig config, ConnectContext context) =>
        HostCheck(new Uri(config.RequireString(Url)), context.Options.AllowedHosts) is { } error ? [(Url, error)] : [];

    public override IReadOnlyList<IReadOnlyDictionary<string, string>> TaskConfigs(ConnectConfig config, int maxTasks) =>
        [.. Enumerable.Range(0, maxTasks).Select(_ => new Dictionary<string, string>())];

    public override SinkTask CreateTask(ConnectContext context) => new HttpSinkTask(context);

    /// <summary>What is wrong with sending to <paramref name="url"/>'s host, or null: the host, or host:port, must be listed.</summary>
    public static string? HostCheck(Uri url, IReadOnlyList<string> allowed) =>
        AllowedHosts.Check(url.Host, url.Port, allowed);
}
