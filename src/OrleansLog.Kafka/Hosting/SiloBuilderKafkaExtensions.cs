using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using OrleansLog.Brokers;
using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Handlers;
using OrleansLog.Server.Brokers;
using OrleansLog.Server.Security;
using OrleansLog.Server.Security.OAuth;
using OrleansLog.Server.Security.Tls;

namespace OrleansLog.Kafka.Hosting;

/// <summary>Entry point that adds the Kafka wire-protocol listener to an OrleansLog broker.</summary>
public static class SiloBuilderKafkaExtensions
{
    /// <summary>
    /// Serves the Kafka protocol on <c>OrleansLog:Kafka</c> (port 9092 by default) once the silo is active,
    /// and registers this broker's advertised endpoint with the coordinator, so Metadata can send clients to
    /// every partition's leader. Does nothing when <see cref="KafkaListenerOptions.Enabled"/> is false.
    /// </summary>
    public static ISiloBuilder AddOrleansLogKafka(this ISiloBuilder builder, IConfiguration configuration, Action<KafkaListenerOptions>? configure = null)
    {
        var settings = configuration.GetSection(KafkaListenerOptions.SectionName).Get<KafkaListenerOptions>() ?? new KafkaListenerOptions();
        configure?.Invoke(settings);
        if (!settings.Enabled)
        {
            return builder;
        }

        // Read here, not through the options pipeline: the listener's endpoint is needed while the silo is built.
        if (new KafkaListenerOptionsValidator().Validate(null, settings) is { Failed: true } invalid)
        {
            throw new OptionsValidationException(KafkaListenerOptions.SectionName, typeof(KafkaListenerOptions), invalid.Failures);
        }

        var services = builder.Services;
        services.AddSingleton(Options.Create(settings));
        if (settings.Endpoints().Any(l => l.UsesTls))
        {
            // Checked here too, so a broker with a TLS listener and no usable certificate does not start.
            var tls = TlsOptionsValidator.ReadChecked(configuration);

            services.TryAddSingleton(Options.Create(tls));
            services.TryAddSingleton<TlsCertificates>();
        }

        if (settings.Endpoints().Any(l => l.UsesSasl) && settings.Sasl.Mechanisms.Contains("OAUTHBEARER"))
        {
            // Checked here too, so a broker that offers OAUTHBEARER without an issuer to check tokens against does not start.
            var oauth = configuration.GetSection(OAuthOptions.SectionName).Get<OAuthOptions>() ?? new OAuthOptions();
            if (new OAuthOptionsValidator().Validate(null, oauth) is { Failed: true } invalidOAuth)
            {
                throw new OptionsValidationException(OAuthOptions.SectionName, typeof(OAuthOptions), invalidOAuth.Failures);
            }

            services.AddSingleton(Options.Create(oauth));
            services.TryAddSingleton<JwtValidator>();
        }

        services.AddOptions<BrokerOptions>().PostConfigure<ILocalSiloDetails>((broker, silo) =>
            broker.KafkaEndpoint = KafkaEndpoint.Format([.. settings.Endpoints().Select(l => (l.Name, AdvertisedHost(settings, l, silo), l.Port))]));
        services.AddSingleton(sp =>
        {
            var silo = sp.GetRequiredService<ILocalSiloDetails>();
            return new KafkaListenerContext(
                sp.GetRequiredService<IGrainFactory>(),
                sp.GetRequiredService<IOptions<BrokerOptions>>().Value.Id,
                sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ClusterId,
                settings.Endpoints().ToDictionary(l => l.Name, l => (AdvertisedHost(settings, l, silo), l.Port)),
                settings,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<AclCache>(),
                sp.GetRequiredService<Server.Security.Audit.AuditLog>());
        });

        // Once clients have names, nothing is open by default: authorization is on unless set otherwise.
        services.PostConfigure<AuthorizationOptions>(authorization => authorization.Enabled ??= settings.Endpoints().Any(l => l.UsesSasl));
        services.AddSingleton<TopicAutoCreation>();
        services.AddSingleton<IKafkaHandler, ApiVersionsHandler>();
        services.AddSingleton<IKafkaHandler, MetadataHandler>();
        services.AddSingleton<IKafkaHandler, ProduceHandler>();
        services.AddSingleton<IKafkaHandler, FetchHandler>();
        services.AddSingleton<IKafkaHandler, ListOffsetsHandler>();
        services.AddSingleton<IKafkaHandler, InitProducerIdHandler>();
        services.AddSingleton<IKafkaHandler, FindCoordinatorHandler>();
        services.AddSingleton<IKafkaHandler, JoinGroupHandler>();
        services.AddSingleton<IKafkaHandler, SyncGroupHandler>();
        services.AddSingleton<IKafkaHandler, HeartbeatHandler>();
        services.AddSingleton<IKafkaHandler, LeaveGroupHandler>();
        services.AddSingleton<IKafkaHandler, OffsetCommitHandler>();
        services.AddSingleton<IKafkaHandler, OffsetFetchHandler>();
        services.AddSingleton<IKafkaHandler, DescribeGroupsHandler>();
        services.AddSingleton<IKafkaHandler, ListGroupsHandler>();
        services.AddSingleton<IKafkaHandler, CreateTopicsHandler>();
        services.AddSingleton<IKafkaHandler, DeleteTopicsHandler>();
        services.AddSingleton<IKafkaHandler, CreatePartitionsHandler>();
        services.AddSingleton<IKafkaHandler, DescribeConfigsHandler>();
        services.AddSingleton<IKafkaHandler, OffsetForLeaderEpochHandler>();
        services.AddSingleton<IKafkaHandler, SaslHandshakeHandler>();
        services.AddSingleton<IKafkaHandler, SaslAuthenticateHandler>();
        services.AddSingleton<IKafkaHandler, CreateAclsHandler>();
        services.AddSingleton<IKafkaHandler, DescribeAclsHandler>();
        services.AddSingleton<IKafkaHandler, DeleteAclsHandler>();
        services.AddSingleton<IKafkaHandler, DescribeClientQuotasHandler>();
        services.AddSingleton<IKafkaHandler, AlterClientQuotasHandler>();
        services.AddSingleton<IKafkaHandler, DescribeUserScramCredentialsHandler>();
        services.AddSingleton<IKafkaHandler, AlterUserScramCredentialsHandler>();
        services.AddSingleton<IKafkaHandler, AddPartitionsToTxnHandler>();
        services.AddSingleton<IKafkaHandler, AddOffsetsToTxnHandler>();
        services.AddSingleton<IKafkaHandler, EndTxnHandler>();
        services.AddSingleton<IKafkaHandler, TxnOffsetCommitHandler>();
        services.AddSingleton<IKafkaHandler, DescribeTransactionsHandler>();
        services.AddSingleton<IKafkaHandler, ListTransactionsHandler>();
        services.AddSingleton<KafkaRequestDispatcher>();
        services.AddSingleton<KafkaListener>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<KafkaListener>());
        return builder;
    }

    /// <summary>The configured advertised host; else the listener's bound address; else, bound to every interface, the silo's own address.</summary>
    private static string AdvertisedHost(KafkaListenerOptions settings, KafkaListenerEndpoint listener, ILocalSiloDetails silo) =>
        settings.AdvertisedHost is { Length: > 0 } host ? host
        : !listener.Address.Equals(System.Net.IPAddress.Any) && !listener.Address.Equals(System.Net.IPAddress.IPv6Any) ? listener.Address.ToString()
        : silo.SiloAddress.Endpoint.Address.ToString();
}
