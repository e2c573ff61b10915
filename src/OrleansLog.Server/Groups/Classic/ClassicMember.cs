using System.Collections.Immutable;
using OrleansLog.Groups;

namespace OrleansLog.Server.Groups.Classic;

/// <summary>One member of a classic group: what it offered, when it was last heard of, and where its join and sync stand.</summary>
public sealed class ClassicMember(string memberId)
{
    public string MemberId { get; } = memberId;

    public string? GroupInstanceId { get; set; }

    public string ClientId { get; set; } = "";

    public string ClientHost { get; set; } = "";

    public TimeSpan SessionTimeout { get; set; }

    public TimeSpan RebalanceTimeout { get; set; }

    public ImmutableArray<ClassicProtocol> Protocols { get; set; } = [];

    public DateTimeOffset LastHeard { get; set; }

    /// <summary>Whether it has joined the rebalance under way.</summary>
    public bool Joined { get; set; }

    /// <summary>The answer to its last join, once the rebalance completed (what a resumed join returns).</summary>
    public ClassicJoinResponse? JoinAnswer { get; set; }

    /// <summary>Whether it waits for the leader's assignments.</summary>
    public bool AwaitingSync { get; set; }

    /// <summary>The answer to its last sync, once there is one.</summary>
    public ClassicSyncResponse? SyncAnswer { get; set; }

    public ReadOnlyMemory<byte> Assignment { get; set; } = ReadOnlyMemory<byte>.Empty;

    public ReadOnlyMemory<byte> MetadataFor(string? protocol)
    {
        foreach (var offered in Protocols)
        {
            if (offered.Name == protocol)
            {
                return offered.Metadata;
            }
        }

        return ReadOnlyMemory<byte>.Empty;
    }
}
