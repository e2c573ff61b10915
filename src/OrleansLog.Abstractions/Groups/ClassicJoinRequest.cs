using System.Collections.Immutable;

namespace OrleansLog.Groups;

/// <summary>
/// A Kafka JoinGroup (the classic protocol, client-side assignment). <see cref="MemberId"/> is empty the
/// first time. <see cref="Resume"/> asks again for the answer to a join that was still waiting for the
/// other members: the group never holds a call open, the listener polls.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ClassicJoinRequest(
    [property: Id(0)] string MemberId,
    [property: Id(1)] string? GroupInstanceId,
    [property: Id(2)] string ClientId,
    [property: Id(3)] string ClientHost,
    [property: Id(4)] int SessionTimeoutMs,
    [property: Id(5)] int RebalanceTimeoutMs,
    [property: Id(6)] string ProtocolType,
    [property: Id(7)] ImmutableArray<ClassicProtocol> Protocols,
    [property: Id(8)] bool Resume = false);
