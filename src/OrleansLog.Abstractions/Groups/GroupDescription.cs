using System.Collections.Immutable;

namespace OrleansLog.Groups;

/// <summary>A group as the coordinator sees it: state, generation, assignor (for Kafka clients: the chosen protocol), members, committed offsets, and the protocol type ("consumer" for groups of Kafka clients, null for native groups).</summary>
[GenerateSerializer, Immutable]
public sealed record GroupDescription(
    [property: Id(0)] string GroupId,
    [property: Id(1)] GroupState State,
    [property: Id(2)] int Generation,
    [property: Id(3)] string? Assignor,
    [property: Id(4)] ImmutableArray<GroupMemberDescription> Members,
    [property: Id(5)] ImmutableArray<CommittedOffset> Offsets,
    [property: Id(6)] string? ProtocolType = null)
{
    /// <summary>Whether the group holds anything: members or committed offsets. Kafka answers for one that does not as "Dead".</summary>
    public bool Exists => State != GroupState.Empty || !Offsets.IsEmpty;
}
