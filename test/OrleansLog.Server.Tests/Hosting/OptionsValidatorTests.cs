using Microsoft.Extensions.Options;
using OrleansLog.Server.Brokers;
using OrleansLog.Server.Compaction;
using OrleansLog.Server.Groups;
using OrleansLog.Server.Hosting;
using OrleansLog.Server.Partitions;
using OrleansLog.Server.Producers;
using OrleansLog.Server.Replication;
using OrleansLog.Server.Transactions;

namespace OrleansLog.Server.Tests.Hosting;

/// <summary>Every rule of the broker's options validators, one bad value at a time; the defaults pass.</summary>
public class OptionsValidatorTests
{
    public static TheoryData<string, Action<ReplicationOptions>> BadReplication => new()
    {
        { "ReplicaLagTimeMax", o => o.ReplicaLagTimeMax = TimeSpan.Zero },
        { "DefaultReplicationFactor", o => o.DefaultReplicationFactor = 0 },
        { "MaxPushBytes", o => o.MaxPushBytes = 100 },
        { "RetryBackoff", o => o.RetryBackoff = TimeSpan.FromSeconds(-1) },
        { "RetryBackoffMax", o => o.RetryBackoffMax = TimeSpan.FromMilliseconds(100) },
        { "ReplicaCallTimeout", o => o.ReplicaCallTimeout = TimeSpan.Zero },
        { "LivenessCheckInterval", o => o.LivenessCheckInterval = TimeSpan.Zero },
        { "HighWatermarkCheckpointInterval", o => o.HighWatermarkCheckpointInterval = TimeSpan.Zero },
    };

    public static TheoryData<string, Action<GroupCoordinatorOptions>> BadGroups => new()
    {
        { "MinSessionTimeout", o => o.MinSessionTimeout = TimeSpan.Zero },
        { "MaxSessionTimeout", o => o.MaxSessionTimeout = TimeSpan.FromSeconds(1) },
        { "MaxGroupSize", o => o.MaxGroupSize = 0 },
        { "InitialRebalanceDelay", o => o.InitialRebalanceDelay = TimeSpan.FromSeconds(-1) },
        { "SessionCheckInterval", o => o.SessionCheckInterval = TimeSpan.Zero },
        { "MetadataRefreshInterval", o => o.MetadataRefreshInterval = TimeSpan.Zero },
        { "OffsetsRetention", o => o.OffsetsRetention = TimeSpan.Zero },
        { "OffsetsRetentionCheckInterval", o => o.OffsetsRetentionCheckInterval = TimeSpan.Zero },
    };

    public static TheoryData<string, Action<OrleansLogOptions>> BadBroker => new()
    {
        { "DataDirectory", o => o.DataDirectory = " " },
        { "RetentionCheckInterval", o => o.RetentionCheckInterval = TimeSpan.Zero },
        { "MaxPartitionsPerTopic", o => o.MaxPartitionsPerTopic = 0 },
        { "StrayLogRetention", o => o.StrayLogRetention = TimeSpan.FromSeconds(-1) },
        { "PartitionIdleTimeout", o => o.PartitionIdleTimeout = TimeSpan.FromSeconds(1) },
        { "MaxOpenSegmentFiles", o => o.MaxOpenSegmentFiles = 15 },
        { "DirectoryCacheSize", o => o.DirectoryCacheSize = 999 },
    };

    public static TheoryData<string, Action<CleanerOptions>> BadCleaner => new()
    {
        { "Threads", o => o.Threads = 0 },
        { "DedupeBufferSize", o => o.DedupeBufferSize = 512 * 1024 },
        { "DedupeBufferLoadFactor", o => o.DedupeBufferLoadFactor = 1 },
        { "IoMaxBytesPerSecond", o => o.IoMaxBytesPerSecond = 0 },
        { "Backoff", o => o.Backoff = TimeSpan.Zero },
    };

    public static TheoryData<string, Action<TransactionOptions>> BadTransactions => new()
    {
        { "MaxTimeout", o => o.MaxTimeout = TimeSpan.Zero },
        { "MaxTimeout", o => o.MaxTimeout = TimeSpan.FromDays(30) },
        { "TimeoutCheckInterval", o => o.TimeoutCheckInterval = TimeSpan.Zero },
        { "IdExpiration", o => o.IdExpiration = TimeSpan.Zero },
        { "MaxPartitionsPerTransaction", o => o.MaxPartitionsPerTransaction = 0 },
        { "MaxGroupsPerTransaction", o => o.MaxGroupsPerTransaction = 0 },
        { "MarkerTimeout", o => o.MarkerTimeout = TimeSpan.Zero },
        { "MarkerRetryBackoff", o => o.MarkerRetryBackoff = TimeSpan.Zero },
    };

    [Theory]
    [MemberData(nameof(BadTransactions))]
    public void Transaction_settings_are_refused_by_name(string setting, Action<TransactionOptions> spoil) =>
        AssertRefused(new TransactionOptionsValidator(), new TransactionOptions(), spoil, $"{TransactionOptions.SectionName}:{setting} ");

    [Theory]
    [MemberData(nameof(BadCleaner))]
    public void Cleaner_settings_are_refused_by_name(string setting, Action<CleanerOptions> spoil) =>
        AssertRefused(new CleanerOptionsValidator(), new CleanerOptions(), spoil, $"{CleanerOptions.SectionName}:{setting} ");

    [Fact]
    public void A_key_map_too_small_for_each_thread_is_refused() =>
        AssertRefused(new CleanerOptionsValidator(), new CleanerOptions(), o => o.Threads = 32, "OrleansLog:Cleaner:DedupeBufferSize must be at least 33554432 (was 16777216).");

    [Theory]
    [MemberData(nameof(BadReplication))]
    public void Replication_settings_are_refused_by_name(string setting, Action<ReplicationOptions> spoil) =>
        AssertRefused(new ReplicationOptionsValidator(), new ReplicationOptions(), spoil, $"{ReplicationOptions.SectionName}:{setting} ");

    [Theory]
    [MemberData(nameof(BadGroups))]
    public void Group_settings_are_refused_by_name(string setting, Action<GroupCoordinatorOptions> spoil) =>
        AssertRefused(new GroupCoordinatorOptionsValidator(), new GroupCoordinatorOptions(), spoil, $"{GroupCoordinatorOptions.SectionName}:{setting} ");

    [Theory]
    [MemberData(nameof(BadBroker))]
    public void Broker_settings_are_refused_by_name(string setting, Action<OrleansLogOptions> spoil) =>
        AssertRefused(new OrleansLogOptionsValidator(), new OrleansLogOptions(), spoil, $"{OrleansLogOptions.SectionName}:{setting} ");

    [Fact]
    public void A_fetch_budget_below_one_kibibyte_is_refused() =>
        AssertRefused(new FetchOptionsValidator(), new FetchOptions(), o => o.FetchMaxBytes = 100, "OrleansLog:Kafka:FetchMaxBytes must be at least 1024 (was 100).");

    [Fact]
    public void A_producer_expiration_of_zero_is_refused() =>
        AssertRefused(new ProducerStateOptionsValidator(), new ProducerStateOptions(), o => o.IdExpiration = TimeSpan.Zero, "OrleansLog:Producers:IdExpiration must be positive");

    [Fact]
    public void A_producer_expiration_check_of_zero_is_refused() =>
        AssertRefused(new ProducerStateOptionsValidator(), new ProducerStateOptions(), o => o.ExpirationCheckInterval = TimeSpan.Zero, "OrleansLog:Producers:ExpirationCheckInterval must be positive");

    [Fact]
    public void A_producer_snapshot_interval_below_one_offset_is_refused() =>
        AssertRefused(new ProducerStateOptionsValidator(), new ProducerStateOptions(), o => o.SnapshotEveryOffsets = 0, "OrleansLog:Producers:SnapshotEveryOffsets must be at least 1");

    [Fact]
    public void A_negative_broker_id_is_refused() =>
        AssertRefused(new BrokerOptionsValidator(), new BrokerOptions(), o => o.Id = -1, "OrleansLog:Broker:Id must be at least 0 (was -1).");

    [Fact]
    public void A_heartbeat_interval_of_zero_is_refused() =>
        AssertRefused(new BrokerOptionsValidator(), new BrokerOptions(), o => o.HeartbeatInterval = TimeSpan.Zero, "OrleansLog:Broker:HeartbeatInterval must be positive");

    [Fact]
    public void A_session_timeout_shorter_than_three_heartbeats_is_refused() =>
        AssertRefused(new BrokerOptionsValidator(), new BrokerOptions(), o => o.SessionTimeout = TimeSpan.FromMilliseconds(700), "OrleansLog:Broker:SessionTimeout must be at least three HeartbeatIntervals (00:00:00.7500000) (was 00:00:00.7000000).");

    private static void AssertRefused<T>(IValidateOptions<T> validator, T options, Action<T> spoil, string expected)
        where T : class
    {
        Assert.True(validator.Validate(null, options).Succeeded, "the defaults must pass");
        spoil(options);
        var result = validator.Validate(null, options);
        Assert.True(result.Failed);
        Assert.StartsWith(expected, Assert.Single(result.Failures!), StringComparison.Ordinal);
    }
}
