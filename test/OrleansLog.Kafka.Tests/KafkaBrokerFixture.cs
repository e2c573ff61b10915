using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansLog.Client;
using OrleansLog.Client.Hosting;
using OrleansLog.Testing;

namespace OrleansLog.Kafka.Tests;

/// <summary>
/// One broker process per test class, with its Kafka listener on a free loopback port, and a native client
/// on its gateway. New groups wait 300 ms for more members (Kafka's default is 3 s) to keep the suite short.
/// </summary>
public sealed class KafkaBrokerFixture : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private IHost? _clientHost;

    public SiloProcess Silo { get; private set; } = null!;

    public OrleansLogClient Native { get; private set; } = null!;

    public string Bootstrap => Silo.KafkaBootstrap;

    public async Task InitializeAsync()
    {
        Silo = await SiloProcess.StartAsync(_data.Sub("data"), extraArguments: ["--OrleansLog:Groups:InitialRebalanceDelay", "00:00:00.300", "--OrleansLog:Transactions:TimeoutCheckInterval", "00:00:00.500"]);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddOrleansLogClient(options => options.Gateways.Add(Silo.Gateway));
        _clientHost = builder.Build();
        await _clientHost.StartAsync();
        Native = _clientHost.Services.GetRequiredService<OrleansLogClient>();
    }

    public async Task DisposeAsync()
    {
        if (_clientHost is not null)
        {
            await _clientHost.StopAsync();
            _clientHost.Dispose();
        }

        await Silo.DisposeAsync();
        _data.Dispose();
    }
}
