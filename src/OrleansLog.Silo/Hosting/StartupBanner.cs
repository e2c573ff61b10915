using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using OrleansLog.Server.Brokers;
using OrleansLog.Server.Hosting;

namespace OrleansLog.Silo.Hosting;

/// <summary>Tells the person who started the broker where it listens and where its data is, once it is up.</summary>
public sealed class StartupBanner(
    IHostApplicationLifetime lifetime,
    IServer server,
    IOptions<OrleansLogOptions> broker,
    IOptions<BrokerOptions> identity,
    ClusterSettings cluster,
    IConfiguration configuration) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            var http = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "(none)";
            Console.WriteLine($"OrleansLog broker is running ({cluster.Mode} mode).");
            Console.WriteLine($"  Orleans gateway: {cluster.AdvertisedAddress}:{cluster.Options.GatewayPort}   (orleanslog CLI, Orleans clients)");
            Console.WriteLine($"  Kafka listener:  {identity.Value.KafkaEndpoint ?? "(disabled)"}   (kcat, Confluent.Kafka, any Kafka client)");
            Console.WriteLine($"  Silo port:       {cluster.AdvertisedAddress}:{cluster.Options.SiloPort}");
            Console.WriteLine(FrontEndSetting.IsEnabled(configuration)
                ? $"  Web console:     {http}   (REST API {http}/v3, OpenAPI /openapi/v1.json, schema registry /subjects, /metrics, /health/ready)"
                : $"  HTTP:            {http}   (/metrics, /health/ready; the front end is off here: run src/OrleansLog.Web)");
            Console.WriteLine($"  Data directory:  {Path.GetFullPath(broker.Value.DataDirectory)}");
            Console.WriteLine("Press Ctrl+C to stop.");
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
