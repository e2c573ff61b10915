using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Storage;
using OrleansLog.Partitions;
using OrleansLog.Server.Brokers;
using OrleansLog.Server.Compaction;
using OrleansLog.Server.Diagnostics;
using OrleansLog.Server.Groups;
using OrleansLog.Server.Metadata;
using OrleansLog.Server.Partitions;
using OrleansLog.Server.Persistence;
using OrleansLog.Server.Placement;
using OrleansLog.Server.Producers;
using OrleansLog.Server.Replication;
using OrleansLog.Server.Retention;
using OrleansLog.Server.Schemas;
using OrleansLog.Server.Transactions;

namespace OrleansLog.Server.Hosting;

/// <summary>Entry points that make a silo an OrleansLog broker.</summary>
public static class SiloBuilderExtensions
{
    /// <summary>
    /// Adds the broker: options from the <c>OrleansLog</c> configuration section (then
    /// <paramref name="configure"/>), the silo-local log manager and the retention service. Grain state
    /// needs a storage named <see cref="OrleansLogStorage.Name"/>: <see cref="AddOrleansLogFileStorage"/>
    /// for the embedded broker.
    /// </summary>
    public static ISiloBuilder AddOrleansLog(this ISiloBuilder builder, Action<OrleansLogOptions>? configure = null)
    {
        var options = builder.Services.AddValidatedOptions<OrleansLogOptions, OrleansLogOptionsValidator>(OrleansLogOptions.SectionName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        // A fetch that polls many partitions tells the rest to stop waiting once one has answered, and needs their
        // answers (the offsets of each partition), not a cancelled call: a cancelled call waits for the callee's reply.
        builder.Configure<SiloMessagingOptions>(static messaging => messaging.WaitForCancellationAcknowledgement = true);
        builder.Services.AddOptions<GrainCollectionOptions>().Configure<IOptions<OrleansLogOptions>>(static (collection, broker) => IdlePartitions.Configure(collection, broker.Value.PartitionIdleTimeout));
        builder.Services.AddOptions<GrainDirectoryOptions>().Configure<IOptions<OrleansLogOptions>>(static (directory, broker) => directory.CacheSize = broker.Value.DirectoryCacheSize);
        builder.Services.AddValidatedOptions<GroupCoordinatorOptions, GroupCoordinatorOptionsValidator>(GroupCoordinatorOptions.SectionName);
        builder.Services.AddValidatedOptions<BrokerOptions, BrokerOptionsValidator>(BrokerOptions.SectionName);
        builder.Services.AddValidatedOptions<ReplicationOptions, ReplicationOptionsValidator>(ReplicationOptions.SectionName);
        builder.Services.AddValidatedOptions<FetchOptions, FetchOptionsValidator>(FetchOptions.SectionName);
        builder.Services.AddSingleton<MemoryPressure>();
        builder.Services.AddSingleton<Replication.IsrChangeBatcher>();
        builder.Services.AddSingleton<Brokers.MembershipChangeSignal>();
        builder.Services.AddSingleton<LogManager>();
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<BrokerMetrics>();
        builder.Services.AddSingleton<LocalReplicas>();
        builder.Services.AddSingleton<ILocalHighWatermarks>(sp => sp.GetRequiredService<LocalReplicas>());
        builder.Services.AddSingleton<SchemaIdGate>();
        builder.Services.AddSingleton<IProducerIdAuthority, AllocatedProducerIds>();
        builder.Services.AddValidatedOptions<ProducerStateOptions, ProducerStateOptionsValidator>(ProducerStateOptions.SectionName);
        builder.Services.AddSingleton<StorageIntegrityCheck>();
        builder.Services.AddPlacementDirector<LeaderPlacement, LeaderPlacementDirector>();
        builder.Services.AddPlacementDirector<ReplicaPlacement, ReplicaPlacementDirector>();
        builder.Services.AddPlacementDirector<BrokerPlacement, BrokerPlacementDirector>();
        builder.Services.AddSingleton<BrokerSilos>();
        builder.Services.AddValidatedOptions<Security.BootstrapUserOptions, Security.BootstrapUserOptionsValidator>(Security.BootstrapUserOptions.SectionName);
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, Security.BootstrapUser>();
        builder.Services.AddValidatedOptions<Security.AuthorizationOptions, Security.AuthorizationOptionsValidator>(Security.AuthorizationOptions.SectionName)
            .PostConfigure<IOptions<Security.BootstrapUserOptions>>(static (authorization, bootstrap) =>
            {
                authorization.SplitSuperUsers();
                if (bootstrap.Value.User is { Length: > 0 } admin && !authorization.SuperUsers.Contains($"User:{admin}"))
                {
                    authorization.SuperUsers.Add($"User:{admin}");
                }
            });
        builder.Services.AddSingleton<Security.ClusterCallers>();
        builder.AddIncomingGrainCallFilter<Security.ClusterInternalCallFilter>();
        builder.Services.AddValidatedOptions<Security.Sessions.SessionOptions, Security.Sessions.SessionOptionsValidator>(Security.Sessions.SessionOptions.SectionName);
        builder.Services.AddSingleton<Security.Sessions.SessionKeys>();
        builder.AddIncomingGrainCallFilter<Security.ClientAccessFilter>();

        // Bearer sign-ins on the gateway and HTTP check JWTs as SASL/OAUTHBEARER does, when an issuer is configured.
        builder.Services.AddOptions<Security.OAuth.OAuthOptions>().BindConfiguration(Security.OAuth.OAuthOptions.SectionName);
        builder.Services.TryAddSingleton<Security.OAuth.JwtValidator>();
        builder.Services.AddSingleton<Security.AclCache>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<Security.AclCache>());
        builder.Services.AddValidatedOptions<Security.Quotas.QuotaOptions, Security.Quotas.QuotaOptionsValidator>(Security.Quotas.QuotaOptions.SectionName);
        builder.Services.AddSingleton<Security.Quotas.ClientQuotaManager>();
        builder.Services.AddValidatedOptions<Security.Audit.AuditOptions, Security.Audit.AuditOptionsValidator>(Security.Audit.AuditOptions.SectionName);
        builder.Services.AddSingleton<Security.Audit.AuditLog>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<Security.Audit.AuditLog>());
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<Security.Quotas.ClientQuotaManager>());
        builder.Services.AddSingleton<ActivePartitions>();
        builder.Services.AddSingleton<Replication.ReconcileGate>();
        builder.Services.AddSingleton<Replication.LeaderWaker>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<Replication.LeaderWaker>());
        builder.Services.AddSingleton<Replication.ReplicaManager>();
        builder.Services.AddSingleton<BrokerLease>();
        builder.Services.AddSingleton<BrokerHeartbeat>();
        builder.Services.AddSingleton<SiloGoneProbe>();
        builder.Services.AddSingleton<BrokerRegistrar>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<BrokerRegistrar>());
        builder.Services.AddValidatedOptions<CleanerOptions, CleanerOptionsValidator>(CleanerOptions.SectionName);
        builder.Services.AddSingleton<CleanerMetrics>();
        builder.Services.AddSingleton<LogCleanerService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LogCleanerService>());
        builder.Services.AddSingleton<RetentionService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RetentionService>());
        builder.Services.AddSingleton<HighWatermarkCheckpointer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<HighWatermarkCheckpointer>());
        builder.Services.AddSingleton<GroupExpiryService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<GroupExpiryService>());
        builder.Services.AddValidatedOptions<TransactionOptions, TransactionOptionsValidator>(TransactionOptions.SectionName);
        builder.Services.AddSingleton<ITransactionVerifier, CoordinatorTransactionVerifier>();
        builder.Services.AddSingleton<TransactionMetrics>();
        builder.Services.AddSingleton<TransactionSweepService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<TransactionSweepService>());
        builder.Services.TryAddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>Keeps grain state in files under the data directory, written atomically.</summary>
    public static ISiloBuilder AddOrleansLogFileStorage(this ISiloBuilder builder)
    {
        builder.Services.AddGrainStorage(OrleansLogStorage.Name, static (sp, _) =>
            new FileGrainStorage(sp.GetRequiredService<IOptions<OrleansLogOptions>>(), new OrleansGrainStorageSerializer(sp.GetRequiredService<Serializer>())));
        return builder;
    }
}
