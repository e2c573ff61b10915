using System.Buffers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Records;
using OrleansLog.Server.Brokers;
using OrleansLog.Server.Diagnostics;
using OrleansLog.Server.Hosting;
using OrleansLog.Server.Partitions;
using OrleansLog.Server.Producers;
using OrleansLog.Server.Replication;
using OrleansLog.Server.Tests.Replication;
using OrleansLog.Storage;
using OrleansLog.Testing;

namespace OrleansLog.Server.Tests.Partitions;

/// <summary>The leader's produce path without a silo: a real log, a leader alone in its ISR (so acks=all holds at the flush).</summary>
public sealed partial class LeaderAppenderTests : IDisposable
{
    private static readonly TopicPartition Id = new("orders", 0);

    private readonly TempDirectory _temp = new();
    private readonly FakeLeaderHost _host = new(Id, 1);
    private readonly PartitionLog _log;
    private readonly LogManager _logs;
    private readonly BrokerMetrics _metrics;
    private readonly LeaderReplication _term;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeProducerIds _producerIds = new(allocatedBelow: 100);
    private readonly FakeTransactionVerifier _transactions = new();
    private readonly BrokerLease _lease;

    public LeaderAppenderTests()
    {
        _log = PartitionLog.Open(_temp.Sub("log"), new LogConfig());
        _logs = new LogManager(Options.Create(new OrleansLogOptions { LogDirectoryOverride = _temp.Sub("manager") }), NullLogger<LogManager>.Instance);
        _metrics = new BrokerMetrics(new TestMeterFactory(), _logs);
        _lease = new BrokerLease(_time, Options.Create(new BrokerOptions()));
        _lease.Renewed(_time.GetTimestamp());
        _term = new LeaderReplication(Id, 1, new PartitionLeadership(0, [1], 1, 3, [1]), _log, new LocalReplica(), _host, new ReplicationOptions(), new FakeTimeProvider(), _metrics, NullLogger.Instance);
    }

    [Fact]
    public async Task Appends_stamp_the_terms_epoch_and_answer_with_the_first_offset()
    {
        var appender = NewAppender();

        var first = await appender.AppendAsync(new ProduceRequest(Batches.Of("a", "b")), TopicConfig.Parse(null));
        var second = await appender.AppendAsync(new ProduceRequest(Batches.Of("c")), TopicConfig.Parse(null));

        Assert.Equal((ErrorCode.None, 0L), (first.Error, first.BaseOffset));
        Assert.Equal((ErrorCode.None, 2L), (second.Error, second.BaseOffset));
        Assert.Equal(3, _log.LatestEpoch);
    }

    [Fact]
    public async Task A_retried_idempotent_batch_is_answered_with_its_first_offsets_and_not_appended_again()
    {
        var appender = NewAppender();
        var batch = Batches.Idempotent(producerId: 7, epoch: 0, baseSequence: 0, "x", "y");

        var first = await appender.AppendAsync(new ProduceRequest(batch), TopicConfig.Parse(null));
        var retried = await appender.AppendAsync(new ProduceRequest(batch), TopicConfig.Parse(null));

        Assert.Equal(first.BaseOffset, retried.BaseOffset);
        Assert.Equal(2, _log.LogEndOffset);
    }

    [Fact]
    public void A_produces_pooled_array_goes_back_once_its_batches_are_in_the_log_before_the_followers_answer()
    {
        // Broker 2 is in the ISR but never fetches: acks=all waits for it while the batches are already in the log.
        var waitingTerm = new LeaderReplication(Id, 1, new PartitionLeadership(0, [1, 2], 1, 3, [1, 2]), _log, new LocalReplica(), _host, new ReplicationOptions(), new FakeTimeProvider(), _metrics, NullLogger.Instance);
        var appender = NewAppender(waitingTerm);
        var batch = Batches.Of("a", "b");
        var rented = ArrayPool<byte>.Shared.Rent(batch.Length);
        batch.CopyTo(rented, 0);
        var records = BatchBytes.OfRented(rented, batch.Length);

        var produce = appender.AppendAsync(new ProduceRequest(records, Acks.All, TimeoutMs: 60_000), TopicConfig.Parse(null));

        Assert.False(produce.IsCompleted);
        Assert.Equal(2, _log.LogEndOffset);
        Assert.Throws<ObjectDisposedException>(() => records.Memory);
        Assert.Equal(batch.Length, records.Length);
        waitingTerm.Stop();
    }

    [Fact]
    public async Task A_new_term_knows_the_producers_of_the_log_it_leads()
    {
        await NewAppender().AppendAsync(new ProduceRequest(Batches.Idempotent(7, 0, 0, "x")), TopicConfig.Parse(null));

        var next = NewAppender();
        var gap = await next.AppendAsync(new ProduceRequest(Batches.Idempotent(7, 0, 5, "z")), TopicConfig.Parse(null));

        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, gap.Error);
        Assert.Equal(1, _log.LogEndOffset);
    }

    [Fact]
    public async Task Acks_all_below_min_insync_replicas_is_refused_before_anything_is_written()
    {
        var appender = NewAppender();
        var config = TopicConfig.Parse(new Dictionary<string, string> { [TopicConfig.MinInsyncReplicasKey] = "2" });

        var refused = await appender.AppendAsync(new ProduceRequest(Batches.Of("a"), Acks.All), config);

        Assert.Equal(ErrorCode.NotEnoughReplicas, refused.Error);
        Assert.Equal(0, _log.LogEndOffset);
    }

    [Fact]
    public async Task An_append_refused_for_an_older_epoch_ends_the_term()
    {
        _log.Append(Batches.Of("newer leader"), leaderEpoch: 9);
        var appender = NewAppender();

        var refused = await appender.AppendAsync(new ProduceRequest(Batches.Of("stale")), TopicConfig.Parse(null));

        Assert.Equal(ErrorCode.NotLeaderOrFollower, refused.Error);
        Assert.Single(_host.StepDowns);
    }

    [Fact]
    public async Task A_producer_id_the_cluster_never_handed_out_is_refused_and_nothing_is_appended()
    {
        var appender = NewAppender();

        var forged = await appender.AppendAsync(new ProduceRequest(Batches.Idempotent(producerId: 5_000, epoch: 3, baseSequence: 0, "forged")), TopicConfig.Parse(null));

        Assert.Equal(ErrorCode.UnknownProducerId, forged.Error);
        Assert.Equal(0, _log.LogEndOffset);
        Assert.Equal(0, appender.ProducerCount);
    }

    [Fact]
    public async Task A_producer_silent_past_the_expiration_is_forgotten()
    {
        var appender = NewAppender();
        await appender.AppendAsync(new ProduceRequest(Batches.Idempotent(7, 0, 0, "x")), TopicConfig.Parse(null));
        _time.Advance(TimeSpan.FromHours(23));
        await appender.AppendAsync(new ProduceRequest(Batches.Idempotent(8, 0, 0, "y")), TopicConfig.Parse(null));
        Assert.Equal(2, appender.ProducerCount);

        _time.Advance(TimeSpan.FromHours(2));
        await appender.AppendAsync(new ProduceRequest(Batches.Idempotent(8, 0, 1, "z")), TopicConfig.Parse(null));

        Assert.Equal(1, appender.ProducerCount);
    }

    [Fact]
    public async Task A_retry_of_a_batch_older_than_the_replay_window_is_still_a_duplicate_after_a_restart()
    {
        var appender = NewAppender();
        var batch = Batches.Idempotent(7, 0, 0, "once");
        var first = await appender.AppendAsync(new ProduceRequest(batch), TopicConfig.Parse(null));
        var filler = Batches.Of([.. Enumerable.Range(0, 1000).Select(i => $"f{i}")]);
        for (var i = 0; i < 110; i++)
        {
            await appender.AppendAsync(new ProduceRequest(filler), TopicConfig.Parse(null));
        }

        Assert.True(_log.LogEndOffset > ProducerStateLoader.WindowOffsets);
        var end = _log.LogEndOffset;

        var restarted = NewAppender();
        var retried = await restarted.AppendAsync(new ProduceRequest(batch), TopicConfig.Parse(null));

        Assert.Equal((ErrorCode.None, first.BaseOffset), (retried.Error, retried.BaseOffset));
        Assert.Equal(end, _log.LogEndOffset);
    }

    [Fact]
    public async Task A_leader_whose_lease_lapsed_appends_but_does_not_acknowledge_until_a_heartbeat_renews_it()
    {
        var appender = NewAppender();
        var session = new BrokerOptions().SessionTimeout;

        // A process paused past its session: the monotonic clock moved on while nothing ran.
        _time.Advance(session);
        var refused = await appender.AppendAsync(new ProduceRequest(Batches.Of("during the pause")), TopicConfig.Parse(null));
        Assert.Equal(ErrorCode.NotLeaderOrFollower, refused.Error);
        Assert.Contains("session with the coordinator lapsed", refused.ErrorMessage, StringComparison.Ordinal);

        _lease.Renewed(_time.GetTimestamp());
        var accepted = await appender.AppendAsync(new ProduceRequest(Batches.Of("after a heartbeat")), TopicConfig.Parse(null));
        Assert.Equal((ErrorCode.None, 1L), (accepted.Error, accepted.BaseOffset));

        // Fenced by the coordinator: no heartbeat brings it back.
        _lease.Fence();
        _lease.Renewed(_time.GetTimestamp());
        var fenced = await appender.AppendAsync(new ProduceRequest(Batches.Of("after the fence")), TopicConfig.Parse(null));
        Assert.Equal(ErrorCode.NotLeaderOrFollower, fenced.Error);
        Assert.Contains("was fenced", fenced.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_follower_that_kept_producer_snapshots_recognizes_an_old_retry_once_it_leads()
    {
        // The log is written as a follower writes it: batches as the leader sent them, no appender of its own.
        // Its producer wrote just now: a follower expires producers by their batches' own time, as Kafka does.
        var snapshots = new FollowerProducerSnapshots(_log, new ProducerStateOptions(), _time);
        byte[] batch;
        using (var builder = new RecordBatchBuilder { ProducerId = 7, ProducerEpoch = 0, BaseSequence = 0 })
        {
            builder.Add(_time.GetUtcNow().ToUnixTimeMilliseconds(), null, "once"u8.ToArray());
            batch = builder.Build().ToArray();
        }

        _log.Append(batch, leaderEpoch: 2);
        var filler = Batches.Of([.. Enumerable.Range(0, 1000).Select(i => $"f{i}")]);
        var written = 0;
        for (var i = 0; i < 110; i++)
        {
            _log.Append(filler, leaderEpoch: 2);
            written += snapshots.SnapshotIfDue() ? 1 : 0;
        }

        Assert.Equal(2, written);
        Assert.True(_log.LogEndOffset > ProducerStateLoader.WindowOffsets);
        var end = _log.LogEndOffset;

        // This replica becomes leader and the producer retries its first batch.
        var promoted = NewAppender();
        var retried = await promoted.AppendAsync(new ProduceRequest(batch), TopicConfig.Parse(null));

        Assert.Equal((ErrorCode.None, 0L), (retried.Error, retried.BaseOffset));
        Assert.Equal(end, _log.LogEndOffset);
    }

    /// <summary>An appender for the shared term, or for <paramref name="term"/>.</summary>
    private LeaderAppender NewAppender(LeaderReplication? term = null) => new(Id, _log, term ?? _term, _host, _lease, _producerIds, _transactions, new ProducerStateOptions(), _time, NullLogger.Instance);

    public void Dispose()
    {
        _term.Stop();
        _log.Dispose();
        _metrics.Dispose();
        _logs.Dispose();
        _temp.Dispose();
    }
}

/// <summary>Producer ids below a bound count as handed out by the cluster.</summary>
internal sealed class FakeProducerIds(long allocatedBelow) : IProducerIdAuthority
{
    public ValueTask<bool> IsAllocated(long producerId) => ValueTask.FromResult(producerId >= 0 && producerId < allocatedBelow);
}
