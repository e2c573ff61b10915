using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using OrleansLog.Kafka.Handlers;
using OrleansLog.Kafka.Protocol;

namespace OrleansLog.Kafka.Connections;

/// <summary>
/// Routes a request to the handler of its API. A request the listener cannot answer in a form the client
/// can read (an unknown API, or a version outside the advertised range of an API other than ApiVersions)
/// is refused, and the connection closes with the reason logged, as Kafka's brokers do: clients that
/// asked ApiVersions first never send one.
/// </summary>
internal sealed partial class KafkaRequestDispatcher(IEnumerable<IKafkaHandler> handlers, ILogger<KafkaRequestDispatcher> logger)
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

    public async Task<KafkaWriter?> DispatchAsync(KafkaRequest request)
    {
        try
        {
            return await _handlers[request.Range!.Value.Key].HandleAsync(request);
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

    /// <summary>ApiVersions must not advertise an API nobody serves: checked when the listener is built, not when a client first asks.</summary>
    private static FrozenDictionary<ApiKey, IKafkaHandler> WithEveryAdvertisedApi(FrozenDictionary<ApiKey, IKafkaHandler> byKey)
    {
        var missing = SupportedApis.All.Where(api => !byKey.ContainsKey(api.Key)).Select(api => api.Key.ToString()).ToList();
        return missing.Count == 0 ? byKey : throw new InvalidOperationException($"The Kafka listener advertises APIs without a handler: {string.Join(", ", missing)}.");
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Kafka {Api} v{Version} from client \"{ClientId}\" failed")]
    private partial void LogHandlerFailed(Exception exception, string api, short version, string? clientId);
}
