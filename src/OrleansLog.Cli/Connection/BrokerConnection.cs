using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using OrleansLog.Client;
using OrleansLog.Client.Admin;
using OrleansLog.Client.Hosting;

namespace OrleansLog.Cli.Connection;

/// <summary>An Orleans client connected to a broker's gateway for the length of one command.</summary>
internal sealed class BrokerConnection : IAsyncDisposable
{
    private readonly IHost _host;

    private BrokerConnection(IHost host)
    {
        _host = host;
        Grains = host.Services.GetRequiredService<IClusterClient>();
        Client = new OrleansLogClient(Grains);
    }

    public IGrainFactory Grains { get; }

    public OrleansLogClient Client { get; }

    public AdminClient Admin => Client.Admin;

    /// <summary>Connects, or throws <see cref="CliException"/> naming the address when no broker answers there.</summary>
    public static async Task<BrokerConnection> ConnectAsync(IReadOnlyList<GatewayAddress> gateways, string clusterId, (string Certificate, string? Key, string? Ca)? tls, (string User, string Password)? credentials, CancellationToken cancellationToken)
    {
        var endpoints = new IPEndPoint[gateways.Count];
        for (var i = 0; i < gateways.Count; i++)
        {
            endpoints[i] = await gateways[i].ResolveAsync(cancellationToken);
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client =>
        {
            client.UseOrleansLogGateways(endpoints);
            client.AddOrleansLogGatewayWatch();

            // One attempt: a CLI should say at once that nothing answers, not retry silently.
            client.UseConnectionRetryFilter(static (_, _) => Task.FromResult(false));
            client.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = clusterId;
                options.ServiceId = clusterId;
            });
            if (tls is var (certificate, key, ca))
            {
                client.UseOrleansLogTls(certificate, key, ca);
            }

            if (credentials is var (user, password))
            {
                client.UseOrleansLogSignIn(signIn => signIn.SignIn(user, password));
            }
        });
        var host = builder.Build();
        using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connectTimeout.CancelAfter(TimeSpan.FromSeconds(15));
        try
        {
            await host.StartAsync(connectTimeout.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            host.Dispose();
            throw new CliException(ExitCodes.Unreachable, $"cannot reach the broker at {string.Join(",", gateways)} (is it running? set --gateway or ORLEANSLOG_GATEWAY)");
        }

        return new BrokerConnection(host);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync(TimeSpan.FromSeconds(5));
        }
        finally
        {
            _host.Dispose();
        }
    }
}
