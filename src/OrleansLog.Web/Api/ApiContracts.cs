using System.Text.Json;

namespace OrleansLog.Web.Api;

// The REST API's bodies, in the Confluent REST Proxy v3 shapes (snake_case on the wire).

public sealed record ClusterData(string Kind, string ClusterId, int ControllerId, string BrokersUrl, string TopicsUrl, string ConsumerGroupsUrl);

public sealed record BrokerData(string Kind, string ClusterId, int BrokerId, string? Host, int? Port, string SiloAddress, bool IsAlive);

public sealed record ConfigEntry(string Name, string? Value);

public sealed record CreateTopicRequest(string? TopicName, int? PartitionsCount, short? ReplicationFactor, List<ConfigEntry>? Configs);

public sealed record UpdateTopicRequest(int? PartitionsCount);

public sealed record AlterConfigsRequest(List<ConfigEntry>? Data);

public sealed record TopicData(string Kind, string ClusterId, string TopicName, Guid TopicId, int PartitionsCount, short ReplicationFactor, bool IsInternal, DateTimeOffset CreatedAt, IReadOnlyDictionary<string, string> ConfigOverrides, IReadOnlyList<PartitionData>? Partitions = null);

public sealed record PartitionData(int PartitionId, int Leader, int LeaderEpoch, IReadOnlyList<int> Replicas, IReadOnlyList<int> Isr, long LogStartOffset, long LogEndOffset, long HighWatermark, long SizeInBytes, int SegmentCount, bool UnderReplicated, bool Offline);

public sealed record TopicConfigData(string Name, string Value, bool IsDefault);

/// <summary>A key or value: <c>type</c> JSON (data is any JSON), STRING (UTF-8 text) or BINARY (base64).</summary>
public sealed record RecordPayload(string? Type, JsonElement Data);

public sealed record RecordHeaderData(string Name, string? Value);

public sealed record ProduceRecordRequest(int? PartitionId, List<RecordHeaderData>? Headers, RecordPayload? Key, RecordPayload? Value, DateTimeOffset? Timestamp);

public sealed record ProduceRecordResult(int ErrorCode, string? Message, string TopicName, int? PartitionId, long? Offset, DateTimeOffset? Timestamp);

public sealed record ConsumedRecord(string TopicName, int PartitionId, long Offset, DateTimeOffset? Timestamp, RecordPayload? Key, RecordPayload? Value, IReadOnlyList<RecordHeaderData> Headers);

public sealed record GroupSummary(string ConsumerGroupId, string State, int MemberCount);

public sealed record GroupData(string ConsumerGroupId, string State, int Generation, string? PartitionAssignor, string? ProtocolType, IReadOnlyList<GroupMemberData> Members, IReadOnlyList<GroupLagData> Lags);

public sealed record GroupMemberData(string ConsumerId, string ClientId, string? ClientHost, IReadOnlyList<string> Topics, IReadOnlyList<string> Assignments);

public sealed record GroupLagData(string TopicName, int PartitionId, long? CurrentOffset, long? LogEndOffset, long? Lag, string? ConsumerId);

/// <summary>How to reset a group's offsets of a topic: <c>to</c> is earliest, latest, offset (with <c>offset</c>) or timestamp (with <c>timestamp</c>, Unix ms).</summary>
public sealed record ResetOffsetsRequest(string? TopicName, string? To, long? Offset, long? Timestamp, List<int>? Partitions, bool DryRun = false);

public sealed record CommittedOffsetData(string TopicName, int PartitionId, long Offset);

public sealed record ListData<T>(string Kind, IReadOnlyList<T> Data);
