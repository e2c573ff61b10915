using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using OrleansLog.Kafka.Handlers;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Security;
using OrleansLog.Server.Security.Audit;
using OrleansLog.Server.Security.Quotas;

namespace OrleansLog.Kafka.Connections;

/// <summary>
/// Routes a request to the handler of its API. A request the listener cannot answer in a form the client
/// can read (an unknown API, or a version outside the advertised range of an API other than ApiVersions)
/// is refused, and the connection closes with the reason logged, as Kafka's brokers do: clients that
/// asked ApiVersions first never send one.
/// </summary>
internal sealed partial class KafkaRequestDispatcher(IEnumerable<IKafkaHandler> handlers, ClientQuotaManager quotas, TimeProvider time, ILogger<KafkaRequestDispatcher> logger)
{
    private readonly FrozenDictionary<ApiKey, IKafkaHandler> _handlers = WithEveryAdvertisedApi(handlers.ToFrozenDictionary(h => h.Key));

    /// <summary>Why <paramref name="request"/> cannot be served, or null.</summary>
    public static string? Refusal(KafkaRequest request)
    {
        var header = request.Header;
        if (request.Range is not { } range)
        {
            return $"api key {header.ApiKey} is not served (client \"{header.ClientId}\", correlation id {header.CorrelationId}).";
        }

        return range.Key != ApiKey.ApiVersions && !range.Serves(header.ApiVersion)
            ? $"{range.Key} v{header.ApiVersion} is outside the served range v{range.Min}-v{range.Max} (client \"{header.ClientId}\")."
            : null;
    }

    /// <summary>
    /// Handles <paramref name="request"/> and records it against its client's quotas: a produce's bytes before it is
    /// handled, a fetch's bytes and the request's time after. Going over a quota mutes the connection for the throttle
    /// time (<paramref name="throttle"/>), and the response carries it in throttle_time_ms.
    /// </summary>
    public async Task<KafkaWriter?> DispatchAsync(KafkaRequest request, ConnectionThrottle? throttle = null)
    {
        try
        {
            var key = (ApiKey)request.Header.ApiKey;
            var clientId = request.Header.ClientId ?? "";
            var throttleMs = key == ApiKey.Produce ? quotas.RecordAndThrottle(ClientQuotaKeys.ProducerByteRate, request.Principal, clientId, request.Size) : 0;
            throttle?.Extend(throttleMs);
            if (key is ApiKey.CreateTopics or ApiKey.DeleteTopics or ApiKey.CreatePartitions or ApiKey.CreateAcls or ApiKey.DeleteAcls or ApiKey.AlterClientQuotas or ApiKey.Metadata)
            {
                // Changes these make (Metadata's: topics created automatically) are audited by the grains that make them, naming this caller.
                AuditCaller.Set(request.Principal, request.ClientHost.TrimStart('/'));
            }

            var started = time.GetTimestamp();
            var response = await _handlers[request.Range!.Value.Key].HandleAsync(request);
            var after = Math.Max(
                key == ApiKey.Fetch && response is not null ? quotas.RecordAndThrottle(ClientQuotaKeys.ConsumerByteRate, request.Principal, clientId, response.BodyLength) : 0,
                RecordRequestTime(request, key, clientId, time.GetElapsedTime(started) - request.Waited));
            throttle?.Extend(after);
            throttleMs = Math.Max(throttleMs, after);
            if (throttleMs > 0)
            {
                response?.SetThrottleTime((int)Math.Min(throttleMs, int.MaxValue));
            }

            return response;
        }
        catch (KafkaProtocolException)
        {
            throw;
        }
        catch (Exception e)
        {
            LogHandlerFailed(e, request.Range!.Value.Key.ToString(), request.Version, request.Header.ClientId);
            throw new KafkaProtocolException($"{request.Range!.Value.Key} v{request.Version} failed on the broker: {e.Message}");
        }
        finally
        {
            request.Dispose();
        }
    }

    /// <summary>Records the request's handling time against its client's request_percentage (Kafka exempts ApiVersions and SASL).</summary>
    private long RecordRequestTime(KafkaRequest request, ApiKey key, string clientId, TimeSpan handling)
    {
        if (key is ApiKey.ApiVersions or ApiKey.SaslHandshake or ApiKey.SaslAuthenticate)
        {
            return 0;
        }

        // request_percentage is a percentage of one handler's time: 100 allows 1,000 ms of handling per second.
        var used = Math.Max(0, handling.TotalMilliseconds) * 100 / 1000;
        return quotas.RecordAndThrottle(ClientQuotaKeys.RequestPercentage, request.Principal, clientId, used);
    }

    /// <summary>ApiVersions must not advertise an API nobody serves: checked when the listener is built, not when a client first asks.</summary>
    private static FrozenDictionary<ApiKey, IKafkaHandler> WithEveryAdvertisedApi(FrozenDictionary<ApiKey, IKafkaHandler> byKey)
    {
        var missing = SupportedApis.All.Where(api => !byKey.ContainsKey(api.Key)).Select(api => api.Key.ToString()).ToList();
        return missing.Count == 0 ? byKey : throw new InvalidOperationException($"The Kafka listener advertises APIs without a handler: {string.Join(", ", missing)}.");
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Kafka {Api} v{Version} from client \"{ClientId}\" failed")]
    private partial void LogHandlerFailed(Exception exception, string api, short version, string? clientId);
}
