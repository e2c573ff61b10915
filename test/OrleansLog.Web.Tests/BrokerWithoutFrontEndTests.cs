using System.Net;
using OrleansLog.Testing;

namespace OrleansLog.Web.Tests;

/// <summary>
/// A broker started with <c>--front-end false</c>: its HTTP port answers the probes and the metrics, and nothing of the
/// console, the REST API, the schema registry or Connect's API; with authentication required, the metrics still ask for
/// credentials. Its Kafka and native ports serve as ever (the rest of the suite runs brokers with the front end).
/// </summary>
public sealed class BrokerWithoutFrontEndTests : IAsyncLifetime
{
    private readonly TempDirectory _files = new();
    private SiloProcess _open = null!;
    private SiloProcess _secured = null!;

    public async Task InitializeAsync()
    {
        _open = await SiloProcess.StartAsync(_files.Sub("open"), extraArguments: ["--front-end", "false"]);
        _secured = await SiloProcess.StartAsync(_files.Sub("secured"), extraArguments:
        [
            "--front-end", "false",
            "--OrleansLog:Web:Security:RequireAuthentication", "true",
            "--OrleansLog:Bootstrap:User", "probe-admin",
            "--OrleansLog:Bootstrap:Password", "probe-admin-secret",
        ]);
    }

    public async Task DisposeAsync()
    {
        await _open.DisposeAsync();
        await _secured.DisposeAsync();
        _files.Dispose();
    }

    [Fact]
    public async Task The_http_port_serves_probes_and_metrics_and_no_front_end()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_open.HttpPort}") };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode);
        Assert.Contains("orleanslog_", await http.GetStringAsync(new Uri("/metrics", UriKind.Relative)), StringComparison.Ordinal);
        foreach (var path in new[] { "/", "/topics/new", "/v3/clusters", "/subjects", "/connectors", "/openapi/v1.json" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri(path, UriKind.Relative))).StatusCode);
        }

        Assert.Contains("front end is off", _open.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_still_ask_for_credentials_when_authentication_is_required()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_secured.HttpPort}") };

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(new Uri("/metrics", UriKind.Relative))).StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = SecuredWebFixture.Basic("probe-admin", "probe-admin-secret") } };
        using var served = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        using var api = new HttpRequestMessage(HttpMethod.Get, "/v3/clusters") { Headers = { Authorization = SecuredWebFixture.Basic("probe-admin", "probe-admin-secret") } };
        Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(api)).StatusCode);
    }
}
