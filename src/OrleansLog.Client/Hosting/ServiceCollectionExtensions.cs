using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Connections.Security;
using Orleans.Messaging;
using OrleansLog.Client.Internal;

namespace OrleansLog.Client.Hosting;

/// <summary>The one call that gives an application producers, consumers and the admin client.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="OrleansLogClient"/>. With <see cref="OrleansLogClientOptions.Gateways"/> it also
    /// registers the Orleans client connected to them; without, it uses the <see cref="IGrainFactory"/>
    /// already there (a silo's, or a client the application configured).
    /// </summary>
    public static IServiceCollection AddOrleansLogClient(this IServiceCollection services, Action<OrleansLogClientOptions>? configure = null)
    {
        var options = new OrleansLogClientOptions();
        configure?.Invoke(options);
        if (options.Gateways.Count > 0)
        {
            var endpoints = options.Gateways.Select(ParseGateway).ToArray();
            services.AddOrleansClient(client =>
            {
                client.UseOrleansLogGateways(endpoints);
                client.AddOrleansLogGatewayWatch();
                client.Configure<ClusterOptions>(cluster =>
                {
                    cluster.ClusterId = options.ClusterId;
                    cluster.ServiceId = options.ClusterId;
                });
                if (options.TlsCertificatePath is { Length: > 0 } certificate)
                {
                    client.UseOrleansLogTls(certificate, options.TlsKeyPath, options.TlsCaPath);
                }

                if (options.BearerToken is { } bearer)
                {
                    client.UseOrleansLogSignIn(async signIn => await signIn.SignInWithBearer(await bearer()));
                }
                else if (options.UserName is { Length: > 0 } user)
                {
                    var password = options.Password ?? throw new ArgumentException("A UserName needs a Password.", nameof(configure));
                    client.UseOrleansLogSignIn(signIn => signIn.SignIn(user, password));
                }
            });
        }

        services.AddSingleton(sp => new OrleansLogClient(sp.GetRequiredService<IGrainFactory>(), sp.GetService<GatewayLossWatch>()));
        return services;
    }

    /// <summary>
    /// Mutual TLS to the gateways: the client presents <paramref name="certificatePath"/> (with its key) and accepts
    /// gateways whose certificates chain to <paramref name="caPath"/> (the system's authorities when null).
    /// </summary>
    public static IClientBuilder UseOrleansLogTls(this IClientBuilder client, string certificatePath, string? keyPath, string? caPath)
    {
        var certificate = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        X509Certificate2Collection? authorities = null;
        if (caPath is { Length: > 0 })
        {
            authorities = [];
            authorities.ImportFromPemFile(caPath);
        }

        return client.UseTls(tls =>
        {
            tls.LocalCertificate = certificate;
            tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            tls.RemoteCertificateValidation = (presented, chain, _) => OrleansLog.Security.CertificateTrust.ChainsTo(presented, chain, authorities);
        });
    }

    /// <summary>
    /// Signs the client in to the cluster with <paramref name="signIn"/> (a user and password, or a bearer JWT) and
    /// carries the session on its calls, so they run as that principal under the cluster's ACLs.
    /// </summary>
    public static IClientBuilder UseOrleansLogSignIn(this IClientBuilder client, Func<OrleansLog.Security.ISignInGrain, Task<OrleansLog.Security.SessionGrant>> signIn)
    {
        client.Services.TryAddSingleton(TimeProvider.System);
        client.Services.AddSingleton<IOutgoingGrainCallFilter>(sp => new SessionCredentials(sp, signIn, sp.GetRequiredService<TimeProvider>()));
        return client;
    }

    /// <summary>
    /// Connects through <paramref name="seeds"/> and then follows the cluster's active brokers (refreshed every
    /// two seconds), so a dead broker's gateway is dropped and never comes back while it is dead, and new
    /// brokers are used without reconfiguring the client. Use it instead of <c>UseStaticClustering</c>.
    /// </summary>
    public static IClientBuilder UseOrleansLogGateways(this IClientBuilder client, IReadOnlyList<IPEndPoint> seeds)
    {
        client.Services.TryAddSingleton(TimeProvider.System);
        client.Services.AddSingleton<IGatewayListProvider>(sp => ActivatorUtilities.CreateInstance<ClusterGatewayListProvider>(sp, seeds));
        client.Configure<GatewayOptions>(gateways => gateways.GatewayListRefreshPeriod = TimeSpan.FromSeconds(2));
        return client;
    }

    /// <summary>
    /// Lets idempotent producers retry at once when a gateway connection is lost, instead of waiting out the
    /// request timeout for an attempt that went through it. <see cref="AddOrleansLogClient"/> does this for
    /// the client it registers; call it on an Orleans client you configure yourself.
    /// </summary>
    public static IClientBuilder AddOrleansLogGatewayWatch(this IClientBuilder client)
    {
        client.Services.AddSingleton<GatewayLossWatch>();
        client.AddGatewayCountChangedHandler(sp => sp.GetRequiredService<GatewayLossWatch>().OnGatewayCountChanged);
        return client;
    }

    private static IPEndPoint ParseGateway(string gateway)
    {
        var colon = gateway.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(gateway.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new ArgumentException($"Gateway \"{gateway}\" is not host:port.", nameof(gateway));
        }

        var host = gateway[..colon].Trim('[', ']');
        var address = IPAddress.TryParse(host, out var parsed) ? parsed
            : Dns.GetHostAddresses(host).FirstOrDefault() ?? throw new ArgumentException($"Gateway host \"{host}\" does not resolve.", nameof(gateway));
        return new IPEndPoint(address, port);
    }
}
