using System.Collections.Immutable;

namespace OrleansLog.Groups;

/// <summary>
/// A consumer joining: <see cref="MemberId"/> is null the first time (the group assigns one) and the
/// assigned id on a rejoin. Every member of a group must name the same <see cref="Assignor"/>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record JoinGroupRequest(
    [property: Id(0)] string? MemberId,
    [property: Id(1)] string ClientId,
    [property: Id(2)] ImmutableArray<string> Topics,
    [property: Id(3)] int SessionTimeoutMs,
    [property: Id(4)] string Assignor);
