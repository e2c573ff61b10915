using Orleans.Configuration;
using OrleansLog.Server.Hosting;
using OrleansLog.Silo.Health;

namespace OrleansLog.Silo.Hosting;

/// <summary>Wires a web host into an OrleansLog broker: the silo, its clustering and storage, and the health endpoints.</summary>
public static class BrokerHostExtensions
{
    /// <summary>Command-line switches for the settings people change most.</summary>
    public static readonly IReadOnlyDictionary<string, string> SwitchMappings = new Dictionary<string, string>
    {
        ["--data-dir"] = "OrleansLog:DataDirectory",
        ["--silo-port"] = "OrleansLog:Cluster:SiloPort",
        ["--gateway-port"] = "OrleansLog:Cluster:GatewayPort",
        ["--broker-id"] = "OrleansLog:Broker:Id",
    };

    public static WebApplicationBuilder AddOrleansLogBroker(this WebApplicationBuilder builder)
    {
        var cluster = builder.Configuration.GetSection(BrokerClusterOptions.SectionName).Get<BrokerClusterOptions>() ?? new BrokerClusterOptions();
        if (!string.Equals(cluster.Mode, "Embedded", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"OrleansLog:Cluster:Mode \"{cluster.Mode}\" is not supported by this build; use Embedded.");
        }

        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
            silo.Configure<EndpointOptions>(endpoints => endpoints.AdvertisedIPAddress = System.Net.IPAddress.Loopback);
            silo.AddOrleansLog().AddOrleansLogFileStorage();
        });
        builder.Services.AddHealthChecks().AddCheck<BrokerReadinessCheck>("broker", tags: ["ready"]);
        builder.Services.AddHostedService<StartupBanner>();
        return builder;
    }

    /// <summary><c>/health/live</c> answers while the process serves HTTP; <c>/health/ready</c> once the broker answers grain calls.</summary>
    public static WebApplication MapOrleansLogHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new() { Predicate = check => check.Tags.Contains("ready") });
        return app;
    }
}
