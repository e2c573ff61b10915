namespace OrleansLog.Security;

/// <summary>
/// Who a client quota applies to, in Kafka's model: a user, a client id, or both; either may be the default
/// (<see cref="Default"/>, Kafka's "&lt;default&gt;"), which applies to every user or client id without a quota of its own.
/// A null part is not part of the entity. The user is the principal's name without its "User:" type.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ClientQuotaEntity([property: Id(0)] string? User, [property: Id(1)] string? ClientId)
{
    /// <summary>The default user or client id, as Kafka writes it.</summary>
    public const string Default = "<default>";

    /// <summary>Kafka's entity type names.</summary>
    public const string UserType = "user";
    public const string ClientIdType = "client-id";

    public override string ToString() =>
        string.Join(", ", new[] { User is null ? null : $"user={User}", ClientId is null ? null : $"client-id={ClientId}" }.Where(p => p is not null));
}

/// <summary>The quota keys Kafka defines for clients.</summary>
public static class ClientQuotaKeys
{
    /// <summary>Bytes per second a producer may send (produce request sizes).</summary>
    public const string ProducerByteRate = "producer_byte_rate";

    /// <summary>Bytes per second a consumer may receive (fetch response sizes).</summary>
    public const string ConsumerByteRate = "consumer_byte_rate";

    /// <summary>Percentage of one request handler's time (100 = one handler) the client's requests may take.</summary>
    public const string RequestPercentage = "request_percentage";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { ProducerByteRate, ConsumerByteRate, RequestPercentage };
}

/// <summary>An entity's quotas, by key.</summary>
[GenerateSerializer, Immutable]
public sealed record ClientQuotaEntry([property: Id(0)] ClientQuotaEntity Entity, [property: Id(1)] System.Collections.Immutable.ImmutableDictionary<string, double> Values);

/// <summary>One change to an entity's quotas: each key set to its value, or removed.</summary>
[GenerateSerializer, Immutable]
public sealed record ClientQuotaAlteration([property: Id(0)] ClientQuotaEntity Entity, [property: Id(1)] System.Collections.Immutable.ImmutableArray<ClientQuotaOperation> Operations);

/// <summary>Sets <paramref name="Key"/> to <paramref name="Value"/>, or removes it when <paramref name="Remove"/>.</summary>
[GenerateSerializer, Immutable]
public sealed record ClientQuotaOperation([property: Id(0)] string Key, [property: Id(1)] double Value, [property: Id(2)] bool Remove);
