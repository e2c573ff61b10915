using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using OrleansLog.Kafka.Handlers;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Security;
using OrleansLog.Records.Buffers;
using OrleansLog.Server.Security.Audit;
using OrleansLog.Server.Security.Tls;
using System.Security.Authentication;

namespace OrleansLog.Kafka.Connections;

/// <summary>
/// One client connection. The read loop cuts frames out of the input pipe (a partial frame stays in the
/// pipe until the rest arrives) and starts each request at once, in arrival order, so grain calls leave in
/// the order the client sent them; the write loop sends the responses strictly in that order, as Kafka
/// clients require. At most <see cref="KafkaListenerOptions.MaxInFlightRequestsPerConnection"/> requests
/// are open; beyond that the read loop waits, which is the connection's backpressure. A frame that breaks
/// the protocol closes this connection only, with the reason logged, and so does a client that sends
/// nothing for <c>connections.max.idle.ms</c> or leaves a frame unfinished for
/// <see cref="KafkaListenerOptions.FrameReadTimeout"/>. Each frame reserves its size in the broker's
/// <c>queued.max.request.bytes</c> as soon as its size prefix arrives, before its body is buffered, and
/// keeps it until it is answered: while the broker holds that much, connections stop reading (their
/// clients wait), and nothing is dropped. On a SASL listener nothing but ApiVersions is served before the client
/// authenticated (<see cref="SaslAuthenticator"/>): SASL requests are answered one at a time, in order, and anything
/// else closes the connection, as Kafka's brokers do. On a TLS listener the connection first runs its handshake
/// (<see cref="TlsSession"/>), and everything after reads and writes the decrypted pipes; a client that does not
/// speak TLS (or whose certificate is refused) is closed with one logged line and nothing sent. A client over one of its
/// quotas is throttled as Kafka throttles it: its responses carry the throttle time and the connection handles nothing
/// more until that time has passed (<see cref="ConnectionThrottle"/>).
/// </summary>
internal sealed partial class KafkaConnection(
    ConnectionContext connection,
    KafkaListenerEndpoint listener,
    TlsCertificates? tls,
    SaslAuthenticator? sasl,
    AuditLog audit,
    KafkaRequestDispatcher dispatcher,
    KafkaListenerOptions options,
    ByteBudget queuedRequests,
    TimeProvider time,
    ILogger logger)
{
    private readonly Channel<Task<KafkaWriter?>> _responses = Channel.CreateBounded<Task<KafkaWriter?>>(
        new BoundedChannelOptions(Math.Max(1, options.MaxInFlightRequestsPerConnection)) { SingleReader = true, SingleWriter = true });

    private readonly ProduceOrder _produceOrder = new();
    private readonly ParkedPolls _parkedPolls = new();

    private readonly string _clientHost = connection.RemoteEndPoint is System.Net.IPEndPoint ip ? $"/{ip.Address}" : "/unknown";

    /// <summary>Set while the client is throttled for going over a quota: no request is handled until it ends.</summary>
    private readonly ConnectionThrottle _throttle = new(time);

    /// <summary>Bytes reserved for the frame whose size prefix arrived and whose body has not (0 when none).</summary>
    private int _reservedForNextFrame;

    /// <summary>"User:" and the subject of the client's TLS certificate, when it presented one on an SSL listener.</summary>
    private string? _certificatePrincipal;

    public async Task RunAsync()
    {
        var transport = connection.Transport;
        TlsSession? session = null;
        if (tls is not null)
        {
            try
            {
                session = await TlsSession.AcceptAsync(connection, tls, time);
                transport = session;
                _certificatePrincipal = session.CertificatePrincipal;
            }
            catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException or ConnectionResetException or ConnectionAbortedException)
            {
                LogTlsHandshakeFailed(connection.RemoteEndPoint?.ToString(), listener.Name, e.Message.TrimEnd('.'));
                audit.AuthenticationFailed(connection.RemoteEndPoint?.ToString() ?? "unknown", listener.Name, "unknown", $"TLS handshake: {e.Message.TrimEnd('.')}");
                await connection.Transport.Output.CompleteAsync();
                await connection.Transport.Input.CompleteAsync();
                await connection.DisposeAsync();
                return;
            }
        }

        var writing = WriteResponses(transport.Output);
        try
        {
            await ReadRequests(transport.Input);
        }
        catch (KafkaProtocolException e)
        {
            LogProtocolViolation(connection.RemoteEndPoint?.ToString(), e.Message);
        }
        catch (Exception e) when (e is ConnectionResetException or IOException or OperationCanceledException or ConnectionAbortedException)
        {
            // The client went away.
        }
        finally
        {
            _responses.Writer.TryComplete();
            if (_reservedForNextFrame > 0)
            {
                queuedRequests.Release(_reservedForNextFrame);
                _reservedForNextFrame = 0;
            }
        }

        try
        {
            await writing;
        }
        catch (Exception e) when (e is ConnectionResetException or IOException or OperationCanceledException or ConnectionAbortedException or InvalidOperationException)
        {
            // The client went away before its responses were written.
        }
        finally
        {
            if (session is not null)
            {
                await session.DisposeAsync().AsTask().ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            // Every response is written: no fetch will take over a parked poll.
            _parkedPolls.Close();
            await connection.Transport.Output.CompleteAsync();
            await connection.Transport.Input.CompleteAsync();
            await connection.DisposeAsync();
        }
    }

    private async Task ReadRequests(PipeReader input)
    {
        // One timer for the connection, re-armed before each read: the idle limit between frames, the
        // (shorter) frame limit while a frame is half received.
        using var silence = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        using var timer = time.CreateTimer(static state => ((CancellationTokenSource)state!).Cancel(), silence, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        var partialFrame = false;
        while (true)
        {
            var limit = partialFrame ? options.FrameReadTimeout : options.ConnectionsMaxIdle;
            timer.Change(limit, Timeout.InfiniteTimeSpan);
            ReadResult result;
            try
            {
                result = await input.ReadAsync(silence.Token);
            }
            catch (OperationCanceledException) when (silence.IsCancellationRequested && !connection.ConnectionClosed.IsCancellationRequested)
            {
                LogSilentClientClosed(connection.RemoteEndPoint, partialFrame ? "it left a request frame unfinished for" : "it sent nothing for", limit.TotalMilliseconds);
                return;
            }

            timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            var buffer = result.Buffer;
            try
            {
                while (TryPeekFrameSize(buffer) is { } size)
                {
                    if (_reservedForNextFrame == 0)
                    {
                        // Reserved before the body is buffered: a connection past the budget stops reading here.
                        if (!queuedRequests.TryReserve(size))
                        {
                            LogWaitingForRequestBudget(connection.RemoteEndPoint, size, options.QueuedMaxRequestBytes);
                            await queuedRequests.ReserveAsync(size, Timeout.InfiniteTimeSpan, connection.ConnectionClosed);
                        }

                        _reservedForNextFrame = size;
                    }

                    if (buffer.Length < 4 + size)
                    {
                        break;
                    }

                    var frame = buffer.Slice(4, size);
                    buffer = buffer.Slice(4 + size);
                    _reservedForNextFrame = 0;
                    var request = KafkaRequest.Read(frame, _clientHost, _produceOrder, queuedRequests, listener.Name, sasl is not null ? sasl.Principal ?? KafkaRequest.Anonymous : _certificatePrincipal ?? KafkaRequest.Anonymous);
                    request.ParkedPolls = _parkedPolls;
                    if (KafkaRequestDispatcher.Refusal(request) is { } refusal)
                    {
                        request.Dispose();
                        throw new KafkaProtocolException(refusal);
                    }

                    if (sasl is not null && IsSasl(request))
                    {
                        // One at a time: the next frame is read only once this step is answered.
                        var answered = sasl.HandleAsync(request);
                        await _responses.Writer.WriteAsync(answered, connection.ConnectionClosed);
                        await answered;
                        if (sasl.Failed)
                        {
                            return;
                        }

                        continue;
                    }

                    if (sasl is { SessionExpired: true } && request.Header.ApiKey != (short)ApiKey.ApiVersions)
                    {
                        request.Dispose();
                        throw new KafkaProtocolException($"the SASL session of {sasl.Principal} on listener {listener.Name} expired (connections.max.reauth.ms) and the client did not authenticate again.");
                    }

                    if (sasl is { Principal: null } && request.Header.ApiKey != (short)ApiKey.ApiVersions)
                    {
                        request.Dispose();
                        throw new KafkaProtocolException($"{(ApiKey)request.Header.ApiKey} came before SASL authentication on listener {listener.Name}.");
                    }

                    await _throttle.WaitAsync(connection.ConnectionClosed);
                    await _responses.Writer.WriteAsync(dispatcher.DispatchAsync(request, _throttle), connection.ConnectionClosed);
                }
            }
            finally
            {
                partialFrame = !buffer.IsEmpty;
                input.AdvanceTo(buffer.Start, buffer.End);
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                return;
            }
        }
    }

    private static bool IsSasl(KafkaRequest request) =>
        request.Header.ApiKey is (short)ApiKey.SaslHandshake or (short)ApiKey.SaslAuthenticate;

    /// <summary>The size of the frame at the front of <paramref name="buffer"/> (without its prefix), once its prefix has arrived; null before.</summary>
    private int? TryPeekFrameSize(in ReadOnlySequence<byte> buffer)
    {
        if (buffer.Length < 4)
        {
            return null;
        }

        Span<byte> prefix = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(prefix);
        var size = BinaryPrimitives.ReadInt32BigEndian(prefix);
        return size < 8 || size > options.MaxRequestBytes
            ? throw new KafkaProtocolException($"A request frame of {size} bytes is outside [8, {options.MaxRequestBytes}] (socket.request.max.bytes).")
            : size;
    }

    private async Task WriteResponses(PipeWriter output)
    {
        var reader = _responses.Reader;
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out var pending))
            {
                KafkaWriter? response;
                try
                {
                    response = await pending;
                }
                catch (KafkaProtocolException e)
                {
                    LogProtocolViolation(connection.RemoteEndPoint?.ToString(), e.Message);
                    connection.Abort();
                    return;
                }

                if (response is null)
                {
                    continue;
                }

                using (response)
                {
                    response.WriteTo(output);
                }

                // Flush when no further response is ready, so a burst of answers leaves in one write.
                if (!reader.TryPeek(out var next) || !next.IsCompleted)
                {
                    await output.FlushAsync();
                }
            }

            await output.FlushAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka connection from {Remote} to listener {Listener} closed: the TLS handshake failed: {Reason}.")]
    private partial void LogTlsHandshakeFailed(string? remote, string listener, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka connection from {Remote} closed: {Reason}")]
    private partial void LogProtocolViolation(string? remote, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka connection from {Remote} waits to read a {Size}-byte request: the broker holds its queued.max.request.bytes ({Limit}) of requests.")]
    private partial void LogWaitingForRequestBudget(System.Net.EndPoint? remote, int size, long limit);

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka connection from {Remote} closed: {What} {LimitMs} ms.")]
    private partial void LogSilentClientClosed(System.Net.EndPoint? remote, string what, double limitMs);
}
