using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLog.Kafka.Connections;

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
    ILogger<KafkaListener> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly ConcurrentDictionary<string, (ConnectionContext Connection, Task Running)> _connections = new();
    private readonly CancellationTokenSource _stopping = new();

    public void Dispose() => _stopping.Dispose();
    private IConnectionListener? _listener;
    private Task _accepting = Task.CompletedTask;

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

            var handler = new KafkaConnection(connection, dispatcher, options.Value, logger);
            var running = Task.Run(handler.RunAsync);
            _connections[connection.ConnectionId] = (connection, running);
            _ = running.ContinueWith(_ => _connections.TryRemove(connection.ConnectionId, out var _), TaskScheduler.Default);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka listener on {Endpoint}.")]
    private partial void LogListening(IPEndPoint endpoint);
}
