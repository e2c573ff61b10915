using System.Globalization;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Storage;
using OrleansLog.Connect.Hosting;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Postgres;
using OrleansLog.Server.Hosting;
using OrleansLog.Server.Persistence;
using OrleansLog.Server.Security.Tls;
using OrleansLog.Silo.Health;

namespace OrleansLog.Silo.Hosting;

/// <summary>Wires a web host into an OrleansLog broker: the silo, its clustering and storage, the Kafka listener, and the health endpoints.</summary>
public static class BrokerHostExtensions
{
    /// <summary>Command-line switches for the settings people change most.</summary>
    public static readonly IReadOnlyDictionary<string, string> SwitchMappings = new Dictionary<string, string>
    {
        ["--data-dir"] = "OrleansLog:DataDirectory",
        ["--silo-port"] = "OrleansLog:Cluster:SiloPort",
        ["--gateway-port"] = "OrleansLog:Cluster:GatewayPort",
        ["--broker-id"] = "OrleansLog:Broker:Id",
        ["--cluster-mode"] = "OrleansLog:Cluster:Mode",
        ["--connection"] = "OrleansLog:Cluster:ConnectionString",
        ["--advertised-address"] = "OrleansLog:Cluster:AdvertisedAddress",
        ["--kafka-port"] = "OrleansLog:Kafka:Port",
        ["--listeners"] = "OrleansLog:Kafka:Listeners",
        ["--front-end"] = FrontEndSetting.Key,

        ["--cluster-tls"] = "OrleansLog:Cluster:Tls",

        // Kafka's super.users form, "User:admin;User:ops", split by AuthorizationOptions.
        ["--super-users"] = "OrleansLog:Authorization:SuperUsers:0",
    };

    /// <summary>Membership timing (Orleans' <see cref="ClusterMembershipOptions"/>), bound from here in every mode.</summary>
    public const string MembershipSection = "OrleansLog:Cluster:Membership";

    /// <summary>The AdoNet provider's own name; the broker's grains use it through <see cref="RetryingGrainStorage"/>.</summary>
    private const string AdoNetStorageName = "orleanslog-adonet";

    public static WebApplicationBuilder AddOrleansLogBroker(this WebApplicationBuilder builder, ClusterSettings cluster)
    {
        if (cluster.Mode == ClusterMode.Kubernetes && builder.Configuration["OrleansLog:Broker:Id"] is null
            && ClusterSettings.BrokerIdFromPodName(Environment.GetEnvironmentVariable("POD_NAME")) is { } ordinal)
        {
            builder.Configuration.AddInMemoryCollection([new("OrleansLog:Broker:Id", ordinal.ToString(CultureInfo.InvariantCulture))]);
        }

        builder.UseOrleans(silo =>
        {
            var options = cluster.Options;
            silo.Configure<ClusterMembershipOptions>(builder.Configuration.GetSection(MembershipSection));
            switch (cluster.Mode)
            {
                case ClusterMode.Embedded:
                    silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
                    silo.Configure<EndpointOptions>(endpoints => endpoints.AdvertisedIPAddress = cluster.AdvertisedAddress);
                    silo.AddOrleansLog().AddOrleansLogFileStorage().AddOrleansLogKafka(builder.Configuration).AddOrleansLogConnect().UseOrleansLogClusterTls(builder.Configuration);
                    break;

                case ClusterMode.AdoNet:
                case ClusterMode.Kubernetes:
                    silo.Configure<ClusterOptions>(ids =>
                    {
                        ids.ClusterId = options.ClusterId;
                        ids.ServiceId = options.ServiceId;
                    });
                    silo.Configure<EndpointOptions>(endpoints =>
                    {
                        endpoints.AdvertisedIPAddress = cluster.AdvertisedAddress;
                        endpoints.SiloPort = options.SiloPort;
                        endpoints.GatewayPort = options.GatewayPort;
                        endpoints.SiloListeningEndpoint = new System.Net.IPEndPoint(System.Net.IPAddress.Any, options.SiloPort);
                        endpoints.GatewayListeningEndpoint = new System.Net.IPEndPoint(System.Net.IPAddress.Any, options.GatewayPort);
                    });
                    if (cluster.Mode == ClusterMode.Kubernetes)
                    {
                        // Takes the silo name, the advertised address (the pod IP) and the cluster ids from the pod.
                        silo.UseKubernetesHosting();
                    }

                    silo.UseAdoNetClustering(adoNet =>
                    {
                        adoNet.Invariant = PostgresSchema.Invariant;
                        adoNet.ConnectionString = cluster.ConnectionString;
                    });
                    silo.AddAdoNetGrainStorage(AdoNetStorageName, (OptionsBuilder<AdoNetGrainStorageOptions> adoNet) => adoNet.Configure<Serializer>((storage, serializer) =>
                    {
                        storage.Invariant = PostgresSchema.Invariant;
                        storage.ConnectionString = cluster.ConnectionString;

                        // Orleans' own version-tolerant binary format, as in the embedded file storage: the
                        // provider's default JSON cannot read immutable collections back.
                        storage.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
                    }));
                    silo.Services.AddGrainStorage(OrleansLogStorage.Name, static (sp, _) =>
                        new RetryingGrainStorage(sp.GetRequiredKeyedService<IGrainStorage>(AdoNetStorageName), sp.GetRequiredService<TimeProvider>()));
                    silo.AddOrleansLog().AddOrleansLogKafka(builder.Configuration).AddOrleansLogConnect().UseOrleansLogClusterTls(builder.Configuration);
                    break;
            }
        });
        builder.Services.AddSingleton(cluster);
        builder.Services.AddHealthChecks().AddCheck<BrokerReadinessCheck>("broker", tags: ["ready"]);
        builder.Services.AddHostedService<StartupBanner>();
        return builder;
    }

    /// <summary>
    /// Before a cluster-mode broker starts: PostgreSQL answers and holds the schema. Without this check the
    /// provider's first query fails deep inside silo start-up; with it the operator reads what to do.
    /// </summary>
    public static async Task CheckDatabaseAsync(ClusterSettings cluster, CancellationToken cancellationToken = default)
    {
        if (cluster.Mode == ClusterMode.Embedded)
        {
            return;
        }

        IReadOnlyList<string> missing;
        try
        {
            missing = await PostgresSchema.FindMissingQueryKeysAsync(cluster.ConnectionString!, cancellationToken);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or ArgumentException or InvalidOperationException)
        {
            throw new ClusterConfigurationException($"cannot reach PostgreSQL with the configured connection string: {e.Message}");
        }

        if (missing.Count > 0)
        {
            throw new ClusterConfigurationException(
                $"the database has no (or an old) OrleansLog schema: {missing.Count} queries missing ({string.Join(", ", missing.Take(3))}...); run 'orleanslog db migrate --connection \"...\"' first.");
        }
    }

    /// <summary><c>/health/live</c> answers while the process serves HTTP; <c>/health/ready</c> once the broker answers grain calls.</summary>
    public static WebApplication MapOrleansLogHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new() { Predicate = check => check.Tags.Contains("ready") });
        return app;
    }
}
