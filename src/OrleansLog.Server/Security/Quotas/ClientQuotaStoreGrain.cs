using System.Collections.Immutable;
using Orleans.Serialization;
using OrleansLog.Security;
using OrleansLog.Server.Persistence;
using OrleansLog.Server.Security.Audit;

namespace OrleansLog.Server.Security.Quotas;

/// <summary>
/// The cluster's client quotas (see <see cref="IClientQuotaStoreGrain"/>). Each alteration is checked as Kafka's
/// AlterClientQuotas checks it (a user and/or a client id, each named or the default; known keys; positive finite
/// values); changes are written before they are answered, and a failed write leaves the state as it was. An entity
/// left with no quota is forgotten. Concurrency: not reentrant for changes; reads interleave.
/// </summary>
public sealed class ClientQuotaStoreGrain(
    [PersistentState("client-quotas", OrleansLogStorage.Name)] IPersistentState<ClientQuotaStoreState> state,
    DeepCopier copier,
    AuditLog audit) : Grain, IClientQuotaStoreGrain
{
    /// <summary>The most entities with quotas the cluster keeps: each broker holds them all in memory.</summary>
    public const int MaxEntities = 100_000;

    /// <summary>The longest user or client id name accepted.</summary>
    public const int MaxNameLength = 1024;

    public Task<long> Version() => Task.FromResult(state.State.Version);

    public Task<ClientQuotaSnapshot> Snapshot() => Task.FromResult(new ClientQuotaSnapshot(
        state.State.Version,
        [.. state.State.Quotas.Select(q => new ClientQuotaEntry(q.Key, q.Value.ToImmutableDictionary(StringComparer.Ordinal)))]));

    public Task<ImmutableArray<string?>> Alter(ImmutableArray<ClientQuotaAlteration> alterations, bool validateOnly) =>
        audit.Change("AlterClientQuotas", string.Join("; ", alterations.Select(a => a.Entity)), () => AlterCore(alterations, validateOnly));

    private async Task<ImmutableArray<string?>> AlterCore(ImmutableArray<ClientQuotaAlteration> alterations, bool validateOnly)
    {
        var before = copier.Copy(state.State);
        var results = new string?[alterations.Length];
        var changed = false;
        for (var i = 0; i < alterations.Length; i++)
        {
            var alteration = alterations[i];
            results[i] = Refusal(alteration)
                ?? (!state.State.Quotas.ContainsKey(alteration.Entity) && state.State.Quotas.Count >= MaxEntities ? $"the cluster already holds quotas for {MaxEntities} entities" : null);
            if (results[i] is not null || validateOnly)
            {
                continue;
            }

            var values = state.State.Quotas.TryGetValue(alteration.Entity, out var existing) ? existing : new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var operation in alteration.Operations)
            {
                changed |= operation.Remove ? values.Remove(operation.Key) : !values.TryGetValue(operation.Key, out var old) || old != operation.Value;
                if (!operation.Remove)
                {
                    values[operation.Key] = operation.Value;
                }
            }

            if (values.Count == 0)
            {
                state.State.Quotas.Remove(alteration.Entity);
            }
            else
            {
                state.State.Quotas[alteration.Entity] = values;
            }
        }

        if (changed)
        {
            state.State.Version++;
            await state.WriteOrRestoreAsync(before, "the change of client quotas");
        }

        return [.. results];
    }

    /// <summary>Why Kafka would refuse <paramref name="alteration"/>, or null.</summary>
    public static string? Refusal(ClientQuotaAlteration alteration)
    {
        var entity = alteration.Entity;
        if (entity.User is null && entity.ClientId is null)
        {
            return "a quota entity needs a user, a client id, or both";
        }

        foreach (var (type, name) in new[] { (ClientQuotaEntity.UserType, entity.User), (ClientQuotaEntity.ClientIdType, entity.ClientId) })
        {
            if (name is not null && (name.Length == 0 || name.Length > MaxNameLength || name.Any(char.IsControl)))
            {
                return $"the {type} name must be 1-{MaxNameLength} characters without control characters";
            }
        }

        if (alteration.Operations.IsDefaultOrEmpty)
        {
            return "an alteration needs at least one operation";
        }

        foreach (var operation in alteration.Operations)
        {
            if (!ClientQuotaKeys.All.Contains(operation.Key))
            {
                return $"unknown quota key \"{operation.Key}\"; use {string.Join(", ", ClientQuotaKeys.All)}";
            }

            if (!operation.Remove && (!double.IsFinite(operation.Value) || operation.Value <= 0))
            {
                return $"{operation.Key} must be a positive number (was {operation.Value})";
            }
        }

        return alteration.Operations.Select(o => o.Key).Distinct(StringComparer.Ordinal).Count() != alteration.Operations.Length
            ? "a quota key is altered twice"
            : null;
    }
}
