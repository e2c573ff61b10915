using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansLog.Server.Security.Audit;
using OrleansLog.Server.Security.OAuth;
using OrleansLog.Server.Security.Tls;
using Microsoft.Extensions.Options;
using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Security;
using OrleansLog.Records.Buffers;
using OrleansLog.Security;

namespace OrleansLog.Kafka.Hosting;

/// <summary>
/// Accepts Kafka clients on each configured listener (<see cref="KafkaListenerOptions.Endpoints"/>) with Kestrel's
/// socket transport (pooled pipes, no HTTP); a TLS listener's connections run their handshake first, a SASL listener's authenticate first. The connection limits
/// and the request budget are shared by every listener. It starts once the silo is active, that is once the broker has registered and grains answer, and stops
/// first on shutdown, closing every connection so clients move to other brokers.
/// </summary>
internal sealed partial class KafkaListener(
    IOptions<KafkaListenerOptions> options,
    KafkaRequestDispatcher dispatcher,
    IGrainFactory grains,
    IServiceProvider services,
    AuditLog audit,
    ILoggerFactory loggers,
    TimeProvider time,
    ILogger<KafkaListener> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly ConcurrentDictionary<string, (ConnectionContext Connection, Task Running)> _connections = new();
    private readonly ConnectionLimits _limits = new(options.Value);
    private readonly ByteBudget _queuedRequests = new(options.Value.QueuedMaxRequestBytes);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<(KafkaListenerEndpoint Endpoint, IConnectionListener Bound)> _listeners = [];
    private readonly List<Task> _accepting = [];

    public void Dispose() => _stopping.Dispose();

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(KafkaListener), ServiceLifecycleStage.Active + 1, Start, Stop);

    private async Task Start(CancellationToken cancellationToken)
    {
        // The listeners were checked when the silo was built (KafkaListenerOptionsValidator).
        // The host's own socket transport where the broker runs on Kestrel: its pipes draw on Kestrel's block pool. One made
        // here draws on ArrayPool<byte>.Shared, which at 50,000 msg/s kept running dry and allocated about 11 MB/s of new
        // pipe segments (an allocation trace of the Kafka phase). A silo without a web host (tests) makes its own.
        var transport = services.GetService<IConnectionListenerFactory>() ?? new SocketTransportFactory(Options.Create(new SocketTransportOptions { NoDelay = true }), loggers);
        foreach (var endpoint in options.Value.Endpoints())
        {
            IConnectionListener bound;
            try
            {
                bound = await transport.BindAsync(endpoint.EndPoint, cancellationToken);
            }
            catch (Exception e) when (e is AddressInUseException or System.Net.Sockets.SocketException)
            {
                throw new KafkaListenerException($"the Kafka listener cannot listen on {endpoint.EndPoint}: {e.Message}; choose another port with --kafka-port (OrleansLog:Kafka:Port or OrleansLog:Kafka:Listeners) or turn it off with OrleansLog:Kafka:Enabled=false.", e);
            }

            _listeners.Add((endpoint, bound));
            LogListening(endpoint.Name, endpoint.EndPoint);
            _accepting.Add(Task.Run(() => Accept(endpoint, bound), CancellationToken.None));
        }
    }

    private async Task Stop(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        foreach (var (_, bound) in _listeners)
        {
            await bound.UnbindAsync(cancellationToken);
        }

        foreach (var (connection, _) in _connections.Values)
        {
            connection.Abort(new ConnectionAbortedException("The broker is shutting down."));
        }

        await Task.WhenAll(_connections.Values.Select(c => c.Running).Concat(_accepting)).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (var (_, bound) in _listeners)
        {
            await bound.DisposeAsync();
        }
    }

    private async Task Accept(KafkaListenerEndpoint endpoint, IConnectionListener listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            ConnectionContext? connection;
            try
            {
                connection = await listener.AcceptAsync(_stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (connection is null)
            {
                return;
            }

            var address = (connection.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;
            if (_limits.TryAdmit(address) is { } refusal)
            {
                LogConnectionRefused(connection.RemoteEndPoint?.ToString(), refusal);
                connection.Abort(new ConnectionAbortedException(refusal));
                await connection.DisposeAsync();
                continue;
            }

            var sasl = endpoint.UsesSasl
                ? new SaslAuthenticator(options.Value.Sasl, grains.GetGrain<ICredentialStoreGrain>(ICredentialStoreGrain.ClusterKey), services.GetService<JwtValidator>(), time, connection.RemoteEndPoint?.ToString() ?? "unknown", endpoint.Name, audit, logger)
                : null;
            var tls = endpoint.UsesTls ? services.GetRequiredService<TlsCertificates>() : null;
            var handler = new KafkaConnection(connection, endpoint, tls, sasl, audit, dispatcher, options.Value, _queuedRequests, time, logger);
            var running = Task.Run(handler.RunAsync);
            _connections[connection.ConnectionId] = (connection, running);
            _ = running.ContinueWith(
                _ =>
                {
                    _connections.TryRemove(connection.ConnectionId, out var _);
                    _limits.Release(address);
                },
                TaskScheduler.Default);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka connection from {Remote} refused: {Reason}.")]
    private partial void LogConnectionRefused(string? remote, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka listener {Name} on {Endpoint}.")]
    private partial void LogListening(string name, IPEndPoint endpoint);
}
