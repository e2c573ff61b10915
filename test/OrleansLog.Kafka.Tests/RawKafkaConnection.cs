using System.Buffers.Binary;
using System.Net.Sockets;
using OrleansLog.Kafka.Protocol;

namespace OrleansLog.Kafka.Tests;

/// <summary>A bare TCP connection to the listener that sends hand-made frames and reads whole responses, for what real clients never send.</summary>
public sealed class RawKafkaConnection : IDisposable
{
    private readonly TcpClient _client = new();

    private RawKafkaConnection()
    {
    }

    private NetworkStream Stream => _client.GetStream();

    /// <summary>Connects to the listener on 127.0.0.1 from <paramref name="from"/> (another loopback address), or from 127.0.0.1.</summary>
    public static async Task<RawKafkaConnection> OpenAsync(int port, string? from = null)
    {
        var connection = new RawKafkaConnection();
        if (from is not null)
        {
            connection._client.Client.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Parse(from), 0));
        }

        await connection._client.ConnectAsync("127.0.0.1", port);
        return connection;
    }

    /// <summary>
    /// Whether the broker refuses a connection from <paramref name="from"/>: it closes it at once, which the
    /// client sees either as a reset while connecting or as the connection closing right after.
    /// </summary>
    public static async Task<bool> IsRefusedAsync(int port, string? from, TimeSpan timeout)
    {
        RawKafkaConnection connection;
        try
        {
            connection = await OpenAsync(port, from);
        }
        catch (SocketException)
        {
            return true;
        }

        using (connection)
        {
            return await connection.IsClosedByBrokerAsync(timeout);
        }
    }

    /// <summary>Whether the broker answers an ApiVersions v0 on this connection.</summary>
    public async Task<bool> AnswersAsync(TimeSpan timeout)
    {
        await SendAsync(Frame(ApiKey.ApiVersions, 0, correlationId: 42));
        return await ReceiveAsync(timeout) is { } response && BinaryPrimitives.ReadInt32BigEndian(response) == 42;
    }

    /// <summary>A request frame: size prefix, header v1 (api key, version, correlation id, client id), then <paramref name="body"/>.</summary>
    public static byte[] Frame(ApiKey key, short version, int correlationId, Action<KafkaWriter>? body = null, bool flexible = false)
    {
        using var writer = new KafkaWriter();
        writer.WriteInt16((short)key);
        writer.WriteInt16(version);
        writer.WriteInt32(correlationId);
        writer.WriteNullableString("raw-test", flexible: false);
        writer.WriteEmptyTaggedFields(flexible);
        body?.Invoke(writer);
        return writer.Complete().ToArray();
    }

    public async Task SendAsync(byte[] bytes) => await Stream.WriteAsync(bytes);

    /// <summary>The next response (its bytes after the size prefix), or null when the broker closed the connection or nothing came within <paramref name="timeout"/>.</summary>
    public async Task<byte[]?> ReceiveAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            var prefix = new byte[4];
            if (!await ReadExactly(prefix, cancel.Token))
            {
                return null;
            }

            var response = new byte[BinaryPrimitives.ReadInt32BigEndian(prefix)];
            return await ReadExactly(response, cancel.Token) ? response : null;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
        {
            return null;
        }
    }

    /// <summary>Whether the broker closed this connection (a read returns end of stream) within <paramref name="timeout"/>.</summary>
    public async Task<bool> IsClosedByBrokerAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            var buffer = new byte[4096];
            while (true)
            {
                if (await Stream.ReadAsync(buffer, cancel.Token) == 0)
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            return true;
        }
    }

    public void Dispose() => _client.Dispose();

    private async Task<bool> ReadExactly(byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await Stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }
}
