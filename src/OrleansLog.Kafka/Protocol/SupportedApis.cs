using System.Collections.Frozen;

namespace OrleansLog.Kafka.Protocol;

/// <summary>
/// What the listener advertises in ApiVersions. The ranges are those kcat (librdkafka 2.0),
/// Confluent.Kafka (librdkafka 2.x) and kafkajs 2.2 were seen to work with: minimums stay at 0 where
/// librdkafka enables a feature only when a range includes version 0 (FindCoordinator, Produce), and
/// nothing is listed that is not implemented (librdkafka turns features on from what it sees here).
/// Every API but ApiVersions is served up to its last version before flexible encodings.
/// </summary>
public static class SupportedApis
{
    public static IReadOnlyList<ApiVersionRange> All { get; } =
    [
        new(ApiKey.Produce, 0, 8),
        new(ApiKey.Fetch, 4, 11),
        new(ApiKey.ListOffsets, 1, 5),
        new(ApiKey.Metadata, 0, 8),
        new(ApiKey.OffsetCommit, 0, 7),
        new(ApiKey.OffsetFetch, 0, 5),
        new(ApiKey.FindCoordinator, 0, 2),
        new(ApiKey.JoinGroup, 0, 5),
        new(ApiKey.Heartbeat, 0, 3),
        new(ApiKey.LeaveGroup, 0, 3),
        new(ApiKey.SyncGroup, 0, 3),
        new(ApiKey.DescribeGroups, 0, 4),
        new(ApiKey.ListGroups, 0, 2),
        new(ApiKey.ApiVersions, 0, 3, FlexibleFrom: 3),
        new(ApiKey.CreateTopics, 0, 4),
        new(ApiKey.DeleteTopics, 0, 3),
        new(ApiKey.InitProducerId, 0, 1),
        new(ApiKey.OffsetForLeaderEpoch, 0, 3),
        new(ApiKey.AddPartitionsToTxn, 0, 2),
        new(ApiKey.AddOffsetsToTxn, 0, 2),
        new(ApiKey.EndTxn, 0, 2),
        new(ApiKey.TxnOffsetCommit, 0, 2),
        new(ApiKey.DescribeConfigs, 0, 3),
        new(ApiKey.CreatePartitions, 0, 1),

        // Handshake v0 must stay listed: librdkafka turns SASL handshakes on only when the range holds version 0.
        new(ApiKey.SaslHandshake, 0, 1),
        new(ApiKey.SaslAuthenticate, 0, 2, FlexibleFrom: 2),
        new(ApiKey.DescribeAcls, 0, 1),
        new(ApiKey.CreateAcls, 0, 1),
        new(ApiKey.DeleteAcls, 0, 1),
        new(ApiKey.DescribeClientQuotas, 0, 1, FlexibleFrom: 1),
        new(ApiKey.AlterClientQuotas, 0, 1, FlexibleFrom: 1),
        new(ApiKey.DescribeUserScramCredentials, 0, 0, FlexibleFrom: 0),
        new(ApiKey.AlterUserScramCredentials, 0, 0, FlexibleFrom: 0),
        new(ApiKey.DescribeTransactions, 0, 0, FlexibleFrom: 0),
        new(ApiKey.ListTransactions, 0, 1, FlexibleFrom: 0),
    ];

    private static readonly FrozenDictionary<short, ApiVersionRange> ByKey = All.ToFrozenDictionary(r => (short)r.Key);

    public static ApiVersionRange? Find(short apiKey) => ByKey.TryGetValue(apiKey, out var range) ? range : null;
}
