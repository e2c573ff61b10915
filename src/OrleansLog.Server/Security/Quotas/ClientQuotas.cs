using System.Collections.Frozen;
using OrleansLog.Security;

namespace OrleansLog.Server.Security.Quotas;

/// <summary>
/// The cluster's client quotas as one broker looks them up: for a user and a client id, the first entity in Kafka's
/// order that sets the key gives the quota (user and client id; user and default client id; user; default user and
/// client id; default user and default client id; default user; client id; default client id). The answer also names
/// the entity that matched, with defaults replaced by the caller's names: clients that share it share one rate.
/// Immutable and thread-safe.
/// </summary>
public sealed class ClientQuotas
{
    public static readonly ClientQuotas None = new([]);

    private readonly FrozenDictionary<ClientQuotaEntity, IReadOnlyDictionary<string, double>> _byEntity;

    public ClientQuotas(IEnumerable<ClientQuotaEntry> entries)
    {
        _byEntity = entries.ToFrozenDictionary(e => e.Entity, e => (IReadOnlyDictionary<string, double>)e.Values);
    }

    public bool IsEmpty => _byEntity.Count == 0;

    /// <summary>The quota of <paramref name="key"/> for <paramref name="user"/> with <paramref name="clientId"/>, and whose rate it is; null when none applies.</summary>
    public (double Quota, ClientQuotaEntity Metered)? Find(string user, string clientId, string key)
    {
        if (_byEntity.Count == 0)
        {
            return null;
        }

        const string D = ClientQuotaEntity.Default;
        ReadOnlySpan<(string? User, string? ClientId, bool MeterUser, bool MeterClient)> order =
        [
            (user, clientId, true, true),
            (user, D, true, true),
            (user, null, true, false),
            (D, clientId, true, true),
            (D, D, true, true),
            (D, null, true, false),
            (null, clientId, false, true),
            (null, D, false, true),
        ];
        foreach (var (u, c, meterUser, meterClient) in order)
        {
            if (_byEntity.TryGetValue(new ClientQuotaEntity(u, c), out var values) && values.TryGetValue(key, out var quota))
            {
                return (quota, new ClientQuotaEntity(meterUser ? user : null, meterClient ? clientId : null));
            }
        }

        return null;
    }
}
