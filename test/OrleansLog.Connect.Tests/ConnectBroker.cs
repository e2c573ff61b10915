using System.Net.Http.Json;
using System.Text.Json;
using OrleansLog.Testing;

namespace OrleansLog.Connect.Tests;

/// <summary>
/// A broker process that runs connectors, with an HTTP client for Kafka Connect's REST API on its HTTP port. File
/// connectors may use <see cref="Files"/>; tasks are checked every 300 ms.
/// </summary>
public sealed class ConnectBroker : IAsyncDisposable
{
    private readonly TempDirectory _directory = new();

    private ConnectBroker()
    {
        Files = _directory.Sub("files");
        Directory.CreateDirectory(Files);
    }

    public SiloProcess Silo { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    /// <summary>The folder file connectors may read and write.</summary>
    public string Files { get; }

    /// <summary>Starts a broker; connectors may connect to loopback (the tests' PostgreSQL).</summary>
    public static async Task<ConnectBroker> StartAsync()
    {
        var broker = new ConnectBroker();
        broker.Silo = await SiloProcess.StartAsync(broker._directory.Sub("data"), extraArguments:
            ["--OrleansLog:Connect:FileRoots:0", broker.Files, "--OrleansLog:Connect:CheckInterval", "00:00:00.300", "--OrleansLog:Connect:AllowedHosts:0", "127.0.0.1"]);
        broker.Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{broker.Silo.HttpPort}"), Timeout = TimeSpan.FromSeconds(30) };
        return broker;
    }

    /// <summary>SIGKILLs the broker and starts it again on the same data and ports.</summary>
    public async Task KillAndRestartAsync()
    {
        await Silo.KillAsync();
        Silo = await Silo.RestartAsync();
    }

    public async Task<(int Status, JsonElement Body)> Send(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>Creates a connector through <c>POST /connectors</c>, which must answer 201.</summary>
    public async Task CreateAsync(string name, Dictionary<string, string> config)
    {
        var (status, body) = await Send(HttpMethod.Post, "/connectors", new { name, config });
        Assert.True(status == 201, $"POST /connectors answered {status}: {body}");
    }

    /// <summary>Waits until every task of <paramref name="name"/> is in <paramref name="state"/>; returns the status.</summary>
    public async Task<JsonElement> WaitForTasks(string name, string state, TimeSpan? timeout = null)
    {
        JsonElement last = default;
        await Wait.Until(async () =>
        {
            var (status, body) = await Send(HttpMethod.Get, $"/connectors/{name}/status");
            last = body;
            return status == 200 && body.GetProperty("tasks").GetArrayLength() > 0
                && body.GetProperty("tasks").EnumerateArray().All(t => t.GetProperty("state").GetString() == state);
        }, $"every task of {name} {state}", timeout ?? TimeSpan.FromSeconds(60));
        return last;
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (Silo is not null)
        {
            await Silo.DisposeAsync();
        }

        _directory.Dispose();
    }
}
