using OrleansLog.Partitions;

namespace OrleansLog.Server.Groups.Assignment;

/// <summary>What an assignor knows of a member: its subscription and the partitions it holds now.</summary>
public sealed record AssignorMember(string MemberId, IReadOnlyCollection<string> Topics, IReadOnlySet<TopicPartition> Owned);
