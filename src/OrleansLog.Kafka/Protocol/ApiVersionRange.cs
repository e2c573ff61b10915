namespace OrleansLog.Kafka.Protocol;

/// <summary>
/// The versions of one API the listener serves, and from which version the API is flexible (compact
/// encodings, tagged fields, request header v2 and response header v1; <see cref="NotFlexible"/> when none served is).
/// </summary>
public readonly record struct ApiVersionRange(ApiKey Key, short Min, short Max, short FlexibleFrom = ApiVersionRange.NotFlexible)
{
    public const short NotFlexible = short.MaxValue;

    public bool Serves(short version) => version >= Min && version <= Max;

    public bool IsFlexible(short version) => version >= FlexibleFrom;
}
