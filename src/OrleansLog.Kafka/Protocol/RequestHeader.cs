namespace OrleansLog.Kafka.Protocol;

/// <summary>
/// The header in front of every request: api key, version, correlation id (echoed in the response) and
/// client id. Flexible versions use header v2, which adds tagged fields after the client id; the client id
/// keeps its int16 length even there.
/// </summary>
public readonly record struct RequestHeader(short ApiKey, short ApiVersion, int CorrelationId, string? ClientId, bool Flexible)
{
    /// <summary>Reads the header; <paramref name="range"/> is null for an API the listener does not serve (its body is not read).</summary>
    public static RequestHeader Read(ref KafkaReader reader, out ApiVersionRange? range)
    {
        var apiKey = reader.ReadInt16();
        var version = reader.ReadInt16();
        var correlationId = reader.ReadInt32();
        var clientId = reader.ReadNullableString(flexible: false);
        range = SupportedApis.Find(apiKey);
        var flexible = range is { } known && known.Serves(version) && known.IsFlexible(version);
        reader.SkipTaggedFields(flexible);
        return new RequestHeader(apiKey, version, correlationId, clientId, flexible);
    }
}
