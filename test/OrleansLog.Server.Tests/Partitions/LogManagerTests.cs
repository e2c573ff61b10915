using System.Collections.Immutable;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Server.Hosting;
using OrleansLog.Server.Partitions;
using OrleansLog.Testing;

namespace OrleansLog.Server.Tests.Partitions;

/// <summary>
/// The broker's logs are keyed by topic identity, and nothing is deleted that was not deleted on purpose:
/// a stale log (another topic id under the name) is set aside as a stray, never served, and strays go only
/// after their grace period.
/// </summary>
public sealed class LogManagerTests : IDisposable
{
    private static readonly TopicPartition Partition = new("orders", 0);

    private readonly TempDirectory _temp = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));
    private readonly LogManager _logs;

    public LogManagerTests() =>
        _logs = new LogManager(Options.Create(new OrleansLogOptions { LogDirectoryOverride = _temp.Sub("logs") }), NullLogger<LogManager>.Instance, _time);

    public void Dispose()
    {
        _logs.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public void A_recreated_topic_never_gets_the_open_log_of_the_old_one()
    {
        var old = _logs.Acquire(Partition, Topic(Guid.NewGuid()));
        old.Append(Batches.Of("old-a", "old-b"));

        var recreated = _logs.Acquire(Partition, Topic(Guid.NewGuid()));

        Assert.NotSame(old, recreated);
        Assert.Equal(0, recreated.LogEndOffset);
        Assert.Single(Strays());
    }

    [Fact]
    public async Task The_last_user_closes_the_log_cleanly_on_the_closer_keeping_its_high_watermark_and_the_next_open_reads_no_segment()
    {
        var topic = Topic(Guid.NewGuid());
        var leader = _logs.Acquire(Partition, topic);
        var follower = _logs.Acquire(Partition, topic);
        Assert.Same(leader, follower);
        leader.Append(Batches.Of("a", "b", "c"));

        await _logs.Release(Partition, leader, highWatermark: 2);
        Assert.True(_logs.IsOpen(Partition, topic.TopicId));
        string? closingThread = null;
        await _logs.Release(Partition, follower, highWatermark: 3, beforeClose: () => closingThread = Thread.CurrentThread.Name);
        Assert.StartsWith("orleanslog-log-closer-", closingThread, StringComparison.Ordinal);
        Assert.False(_logs.IsOpen(Partition, topic.TopicId));
        Assert.Empty(_logs.OpenLogs());

        var reopened = _logs.Acquire(Partition, topic);
        Assert.NotSame(leader, reopened);
        Assert.False(reopened.Recovery.WasUnclean);
        Assert.Equal((3L, 3L), (reopened.LogEndOffset, reopened.CheckpointedHighWatermark));
    }

    /// <summary>A partition used again before its close ran (a reactivation right after the idle timeout) gets the same log, still open.</summary>
    [Fact]
    public async Task A_log_acquired_again_before_its_close_ran_is_taken_back_open()
    {
        var closer = new LogCloser(threads: 0);
        using var logs = new LogManager(Options.Create(new OrleansLogOptions { LogDirectoryOverride = _temp.Sub("taken-back") }), NullLogger<LogManager>.Instance, _time, closer: closer);
        var topic = Topic(Guid.NewGuid());
        var log = logs.Acquire(Partition, topic);
        log.Append(Batches.Of("a"));
        var beforeCloseRan = false;

        var release = logs.Release(Partition, log, highWatermark: 1, beforeClose: () => beforeCloseRan = true);
        Assert.Equal(1, logs.PendingCloses);
        var again = logs.Acquire(Partition, topic);
        await release;
        closer.RunQueued();

        Assert.Same(log, again);
        Assert.True(logs.IsOpen(Partition, topic.TopicId));
        Assert.False(beforeCloseRan);
        Assert.Equal(1, again.Append(Batches.Of("b")).LastOffset);
    }

    /// <summary>A close still queued when the broker stops is run by the shutdown, snapshot and checkpoint included.</summary>
    [Fact]
    public void A_close_still_queued_at_shutdown_runs_in_full()
    {
        var directory = _temp.Sub("queued-at-shutdown");
        var topic = Topic(Guid.NewGuid());
        var beforeCloseRan = false;
        using (var logs = new LogManager(Options.Create(new OrleansLogOptions { LogDirectoryOverride = directory }), NullLogger<LogManager>.Instance, _time, closer: new LogCloser(threads: 0)))
        {
            var log = logs.Acquire(Partition, topic);
            log.Append(Batches.Of("a", "b"));
            _ = logs.Release(Partition, log, highWatermark: 2, beforeClose: () => beforeCloseRan = true);
        }

        using var restarted = new LogManager(Options.Create(new OrleansLogOptions { LogDirectoryOverride = directory }), NullLogger<LogManager>.Instance, _time);
        var reopened = restarted.Acquire(Partition, topic);
        Assert.True(beforeCloseRan);
        Assert.False(reopened.Recovery.WasUnclean);
        Assert.Equal((2L, 2L), (reopened.LogEndOffset, reopened.CheckpointedHighWatermark));
    }

    [Fact]
    public void A_release_of_a_log_that_was_replaced_changes_nothing()
    {
        var old = _logs.Acquire(Partition, Topic(Guid.NewGuid()));
        var current = Topic(Guid.NewGuid());
        _logs.Acquire(Partition, current);

        _logs.Release(Partition, old, highWatermark: 0);

        Assert.True(_logs.IsOpen(Partition, current.TopicId));
    }

    [Fact]
    public void A_directory_of_another_topic_id_on_disk_is_set_aside_not_deleted()
    {
        var oldId = Guid.NewGuid();
        _logs.Acquire(Partition, Topic(oldId)).Append(Batches.Of("kept aside"));
        _logs.Dispose();
        using var restarted = new LogManager(Options.Create(new OrleansLogOptions { LogDirectoryOverride = _temp.Sub("logs") }), NullLogger<LogManager>.Instance, _time);

        var log = restarted.Acquire(Partition, Topic(Guid.NewGuid()));

        Assert.Equal(0, log.LogEndOffset);
        var stray = Assert.Single(Strays());
        Assert.NotEmpty(Directory.GetFiles(stray, "*.log"));
    }

    [Fact]
    public void Set_aside_refuses_a_log_open_for_another_topic_id_and_strays_go_after_their_grace()
    {
        var id = Guid.NewGuid();
        _logs.Acquire(Partition, Topic(id)).Append(Batches.Of("a"));

        Assert.False(_logs.SetAside(Partition, Guid.NewGuid(), "test"));
        Assert.True(_logs.IsOpen(Partition, id));
        Assert.True(_logs.SetAside(Partition, id, "test"));
        Assert.False(_logs.IsOpen(Partition, id));
        Assert.Empty(_logs.ListDirectories());

        _time.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(0, _logs.RemoveExpiredStrays(TimeSpan.FromHours(1)));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, _logs.RemoveExpiredStrays(TimeSpan.FromHours(1)));
        Assert.Empty(Strays());
    }

    /// <summary>
    /// Opens and closes take a lock of the partition's stripe, not one lock for every log: partitions opened, used
    /// and released from many threads at once (two users each, leader and follower, in any order) all end closed
    /// cleanly with every record kept, and a log is never closed under a user that still holds it.
    /// </summary>
    [Fact]
    public async Task Partitions_opened_and_closed_from_many_threads_at_once_keep_every_record_and_close_cleanly()
    {
        var topic = Topic(Guid.NewGuid());
        var partitions = Enumerable.Range(0, 200).Select(i => new TopicPartition("orders", i)).ToList();
        const int Rounds = 5;
        await Task.WhenAll(partitions.SelectMany(p => new[] { p, p }).Select(partition => Task.Run(async () =>
        {
            for (var round = 0; round < Rounds; round++)
            {
                var log = _logs.Acquire(partition, topic);
                log.Append(Batches.Of($"{partition.Partition}-{round}"));
                await _logs.Release(partition, log, highWatermark: 0);
            }
        })));

        Assert.Empty(_logs.OpenLogs());
        foreach (var partition in partitions)
        {
            var log = _logs.Acquire(partition, topic);
            Assert.False(log.Recovery.WasUnclean);
            Assert.Equal(2 * Rounds, log.LogEndOffset);
            await _logs.Release(partition, log, highWatermark: 0);
        }
    }

    [Fact]
    public void While_memory_is_short_a_log_that_is_not_open_is_refused_retriably_and_the_open_ones_go_on()
    {
        var load = 0L;
        using var logs = new LogManager(Options.Create(new OrleansLogOptions { LogDirectoryOverride = _temp.Sub("short") }), NullLogger<LogManager>.Instance, _time, MemoryPressure.From(() => (Volatile.Read(ref load), 1_000)));
        var topic = Topic(Guid.NewGuid());
        var open = logs.Acquire(Partition, topic);
        open.Append(Batches.Of("a"));

        Volatile.Write(ref load, 1_000);
        var refused = Assert.Throws<OrleansLogException>(() => logs.Acquire(new TopicPartition("orders", 1), topic));
        Assert.Equal(ErrorCode.KafkaStorageError, refused.Code);
        Assert.True(refused.IsRetriable);
        Assert.Contains("short of memory", refused.Message, StringComparison.Ordinal);
        Assert.Same(open, logs.Acquire(Partition, topic));
        Assert.Equal(2, open.Append(Batches.Of("b", "c")).LastOffset);

        Volatile.Write(ref load, 999);
        Assert.Equal(0, logs.Acquire(new TopicPartition("orders", 1), topic).LogEndOffset);
    }

    private string[] Strays() => Directory.GetDirectories(_logs.Directory, "*-stray");

    private static TopicDescription Topic(Guid id) =>
        new("orders", id, 1, ImmutableSortedDictionary<string, string>.Empty, DateTimeOffset.UnixEpoch, 1, [new PartitionLeadership(0, [0], 0, 0, [0])]);
}
