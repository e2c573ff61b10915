using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using OrleansLog.Connect.Config;
using OrleansLog.Connect.Converters;
using OrleansLog.Connect.Data;
using OrleansLog.Connect.Plugins;

namespace OrleansLog.Connect.Http;

/// <summary>POSTs each batch as a JSON array; nothing is buffered between batches, so a flush has nothing left to do.</summary>
public sealed class HttpSinkTask(ConnectContext context) : SinkTask
{
    /// <summary>One client for every HTTP sink task of the broker: pooled connections, renewed so DNS changes are seen, no redirects.</summary>
    private static readonly HttpClient Client = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2), AllowAutoRedirect = false })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    private Uri _url = null!;
    private TimeSpan _timeout;
    private string? _authorization;

    public override Task StartAsync(ConnectConfig config, CancellationToken cancellationToken)
    {
        _url = new Uri(config.RequireString(HttpSinkConnector.Url));
        if (HttpSinkConnector.HostCheck(_url, context.Options.AllowedHosts) is { } refused)
        {
            throw new ConfigException(refused);
        }

        _timeout = TimeSpan.FromMilliseconds(config.GetInt(HttpSinkConnector.Timeout));
        _authorization = config.GetString(HttpSinkConnector.Authorization);
        return Task.CompletedTask;
    }

    public override async Task PutAsync(IReadOnlyList<SinkRecord> records, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _url) { Content = new ByteArrayContent(Body(records)) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (_authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", _authorization);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        HttpResponseMessage response;
        try
        {
            response = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new RetriableConnectException($"POST {_url} failed: {e.Message}", e);
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            var message = $"POST {_url} answered {(int)response.StatusCode} {response.ReasonPhrase}";
            throw response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500
                ? new RetriableConnectException(message)
                : new InvalidOperationException(message + "; records it refuses are not sent again.");
        }
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static byte[] Body(IReadOnlyList<SinkRecord> records)
    {
        var buffer = new ArrayBufferWriter<byte>(records.Count * 64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var record in records)
            {
                writer.WriteStartObject();
                writer.WriteString("topic", record.Topic);
                writer.WriteNumber("partition", record.KafkaPartition);
                writer.WriteNumber("offset", record.KafkaOffset);
                if (record.Timestamp is { } timestamp)
                {
                    writer.WriteNumber("timestamp", timestamp);
                }

                writer.WritePropertyName("key");
                JsonConverter.WriteValue(writer, record.Key);
                writer.WritePropertyName("value");
                JsonConverter.WriteValue(writer, record.Value);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
