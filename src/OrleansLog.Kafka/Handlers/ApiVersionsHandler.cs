using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Protocol;

namespace OrleansLog.Kafka.Handlers;

/// <summary>
/// ApiVersions (key 18): the ranges in <see cref="SupportedApis"/>. Always answered with a v0 response
/// header; to a version the listener does not know, the answer is UNSUPPORTED_VERSION in the v0 body,
/// which every client reads and then retries with a version it finds there.
/// </summary>
internal sealed class ApiVersionsHandler : IKafkaHandler
{
    public ApiKey Key => ApiKey.ApiVersions;

    public Task<KafkaWriter?> HandleAsync(KafkaRequest request)
    {
        var supported = request.Range!.Value.Serves(request.Version);
        var version = supported ? request.Version : (short)0;
        var flexible = supported && request.Flexible;

        // The body (v3+: the client software's name and version) is not read: nothing here depends on it.
        var response = request.StartResponse();
        response.WriteInt16(supported ? ErrorCode.None : ErrorCode.UnsupportedVersion);
        response.WriteArrayLength(SupportedApis.All.Count, flexible);
        foreach (var api in SupportedApis.All)
        {
            response.WriteInt16((short)api.Key);
            response.WriteInt16(api.Min);
            response.WriteInt16(api.Max);
            response.WriteEmptyTaggedFields(flexible);
        }

        if (version >= 1)
        {
            response.WriteThrottleTime();
        }

        response.WriteEmptyTaggedFields(flexible);
        return Task.FromResult<KafkaWriter?>(response);
    }
}
