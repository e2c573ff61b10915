namespace OrleansLog.Security;

/// <summary>How a <see cref="ClientQuotaFilter"/> component matches an entity's part (Kafka's DescribeClientQuotas match types).</summary>
public enum ClientQuotaMatch : sbyte
{
    /// <summary>The part has exactly this name.</summary>
    Exact = 0,

    /// <summary>The part is the default.</summary>
    Default = 1,

    /// <summary>The part is present, whatever its name.</summary>
    Any = 2,
}

/// <summary>One component of a filter: an entity type ("user" or "client-id"), how to match it, and the name for <see cref="ClientQuotaMatch.Exact"/>.</summary>
[GenerateSerializer, Immutable]
public sealed record ClientQuotaFilterComponent([property: Id(0)] string EntityType, [property: Id(1)] ClientQuotaMatch Match, [property: Id(2)] string? Name);

/// <summary>
/// Kafka's DescribeClientQuotas filter: every component must match its part of the entity; when <paramref name="Strict"/>,
/// the entity may have no part the components do not name. Immutable.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ClientQuotaFilter([property: Id(0)] System.Collections.Immutable.ImmutableArray<ClientQuotaFilterComponent> Components, [property: Id(1)] bool Strict)
{
    /// <summary>Why the filter cannot be used (an unknown entity type, a type named twice, an exact match without a name), or null.</summary>
    public string? Refusal()
    {
        foreach (var component in Components)
        {
            if (component.EntityType is not (ClientQuotaEntity.UserType or ClientQuotaEntity.ClientIdType))
            {
                return $"unknown entity type \"{component.EntityType}\"; use {ClientQuotaEntity.UserType} or {ClientQuotaEntity.ClientIdType}";
            }

            if (component.Match == ClientQuotaMatch.Exact && component.Name is null)
            {
                return $"an exact match on {component.EntityType} needs a name";
            }

            if (!Enum.IsDefined(component.Match))
            {
                return $"unknown match type {(sbyte)component.Match}";
            }
        }

        return Components.Select(c => c.EntityType).Distinct(StringComparer.Ordinal).Count() != Components.Length
            ? "an entity type is named twice"
            : null;
    }

    public bool Matches(ClientQuotaEntity entity)
    {
        foreach (var component in Components)
        {
            var part = component.EntityType == ClientQuotaEntity.UserType ? entity.User : entity.ClientId;
            var matches = component.Match switch
            {
                ClientQuotaMatch.Exact => part is not null && part != ClientQuotaEntity.Default && part == component.Name,
                ClientQuotaMatch.Default => part == ClientQuotaEntity.Default,
                _ => part is not null,
            };
            if (!matches)
            {
                return false;
            }
        }

        return !Strict
            || ((entity.User is null || Components.Any(c => c.EntityType == ClientQuotaEntity.UserType))
                && (entity.ClientId is null || Components.Any(c => c.EntityType == ClientQuotaEntity.ClientIdType)));
    }
}
