using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLog.Kafka.Connections;
using OrleansLog.Records.Buffers;

namespace OrleansLog.Kafka.Hosting;

/// <summary>
/// Accepts Kafka clients on the configured port with Kestrel's socket transport (pooled pipes, no HTTP).
/// It starts once the silo is active, that is once the broker has registered and grains answer, and stops
/// first on shutdown, closing every connection so clients move to other brokers.
/// </summary>
internal sealed partial class KafkaListener(
    IOptions<KafkaListenerOptions> options,
    KafkaRequestDispatcher dispatcher,
    ILoggerFactory loggers,
    TimeProvider time,
    ILogger<KafkaListener> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly ConcurrentDictionary<string, (ConnectionContext Connection, Task Running)> _connections = new();
    private readonly ConnectionLimits _limits = new(options.Value);
    private readonly ByteBudget _queuedRequests = new(options.Value.QueuedMaxRequestBytes);
    private readonly CancellationTokenSource _stopping = new();
    private IConnectionListener? _listener;
    private Task _accepting = Task.CompletedTask;

    public void Dispose() => _stopping.Dispose();

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(KafkaListener), ServiceLifecycleStage.Active + 1, Start, Stop);

    private async Task Start(CancellationToken cancellationToken)
    {
        // The address was checked when the silo was built (KafkaListenerOptionsValidator).
        var settings = options.Value;
        var endpoint = new IPEndPoint(IPAddress.Parse(settings.ListenAddress), settings.Port);
        var transport = new SocketTransportFactory(Options.Create(new SocketTransportOptions { NoDelay = true }), loggers);
        try
        {
            _listener = await transport.BindAsync(endpoint, cancellationToken);
        }
        catch (Exception e) when (e is AddressInUseException or System.Net.Sockets.SocketException)
        {
            throw new KafkaListenerException($"the Kafka listener cannot listen on {endpoint}: {e.Message}; choose another port with --kafka-port (OrleansLog:Kafka:Port) or turn it off with OrleansLog:Kafka:Enabled=false.", e);
        }

        LogListening(endpoint);
        _accepting = Task.Run(Accept, CancellationToken.None);
    }

    private async Task Stop(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        if (_listener is { } listener)
        {
            await listener.UnbindAsync(cancellationToken);
        }

        foreach (var (connection, _) in _connections.Values)
        {
            connection.Abort(new ConnectionAbortedException("The broker is shutting down."));
        }

        await Task.WhenAll(_connections.Values.Select(c => c.Running).Append(_accepting)).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_listener is { } bound)
        {
            await bound.DisposeAsync();
        }
    }

    private async Task Accept()
    {
        while (!_stopping.IsCancellationRequested)
        {
            ConnectionContext? connection;
            try
            {
                connection = await _listener!.AcceptAsync(_stopping.Token);
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

            var handler = new KafkaConnection(connection, dispatcher, options.Value, _queuedRequests, time, logger);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka listener on {Endpoint}.")]
    private partial void LogListening(IPEndPoint endpoint);
}
