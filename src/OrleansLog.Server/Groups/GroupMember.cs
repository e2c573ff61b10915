using System.Collections.Immutable;
using OrleansLog.Partitions;

namespace OrleansLog.Server.Groups;

/// <summary>
/// One member as the group tracks it. <see cref="Target"/> is what the assignor wants it to have;
/// <see cref="Held"/> is everything it may be consuming (its last report plus what it was told since).
/// </summary>
public sealed class GroupMember(string memberId, string clientId)
{
    public string MemberId { get; } = memberId;

    public string ClientId { get; } = clientId;

    public ImmutableArray<string> Topics { get; set; } = [];

    public TimeSpan SessionTimeout { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public HashSet<TopicPartition> Target { get; set; } = [];

    public HashSet<TopicPartition> Held { get; } = [];
}
