using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansLog.Client;
using OrleansLog.Client.Hosting;
using OrleansLog.Testing;

namespace OrleansLog.Web.Tests;

/// <summary>One broker process per test class, which co-hosts the REST API on its HTTP port, an HTTP client for it, and a native client on its gateway.</summary>
public class WebBrokerFixture : IAsyncLifetime
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly TempDirectory _data = new();
    private IHost? _clientHost;

    public SiloProcess Silo { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public OrleansLogClient Native { get; private set; } = null!;

    /// <summary>The cluster's path prefix: the embedded broker's cluster id is "orleanslog".</summary>
    public const string Cluster = "/v3/clusters/orleanslog";

    /// <summary>
    /// Settings for the broker's command line. The console samples lag and offsets every 300 ms here (5 s by
    /// default), and the cleaner looks for compacted logs every 300 ms (15 s by default).
    /// </summary>
    protected virtual IReadOnlyList<string> BrokerArguments => ["--OrleansLog:Web:SampleInterval", "00:00:00.300", "--OrleansLog:Cleaner:Backoff", "00:00:00.300"];

    public virtual async Task InitializeAsync()
    {
        Silo = await SiloProcess.StartAsync(_data.Sub("data"), extraArguments: BrokerArguments);
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Silo.HttpPort}"), Timeout = TimeSpan.FromSeconds(30) };
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddOrleansLogClient(options =>
        {
            options.Gateways.Add(Silo.Gateway);
            ConfigureNative(options);
        });
        _clientHost = builder.Build();
        await _clientHost.StartAsync();
        Native = _clientHost.Services.GetRequiredService<OrleansLogClient>();
    }

    /// <summary>Settings of the native client (credentials, where the broker checks ACLs).</summary>
    protected virtual void ConfigureNative(OrleansLogClientOptions options)
    {
    }

    public Task<(HttpResponseMessage Response, JsonElement Body)> Send(HttpMethod method, string path, object? body = null, string? rawBody = null) =>
        Send(method, path, authorization: null, body, rawBody);

    public async Task<(HttpResponseMessage Response, JsonElement Body)> Send(HttpMethod method, string path, System.Net.Http.Headers.AuthenticationHeaderValue? authorization, object? body = null, string? rawBody = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = authorization;
        if (rawBody is not null)
        {
            request.Content = new StringContent(rawBody, System.Text.Encoding.UTF8, "application/json");
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Json);
        }

        var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var json = response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true;
        return (response, text.Length == 0 || !json ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (_clientHost is not null)
        {
            await _clientHost.StopAsync();
            _clientHost.Dispose();
        }

        await Silo.DisposeAsync();
        _data.Dispose();
    }
}
