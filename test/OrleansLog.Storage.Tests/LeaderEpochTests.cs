using System.Collections.Immutable;
using OrleansLog.Records;
using OrleansLog.Storage.Epochs;
using OrleansLog.Testing;

namespace OrleansLog.Storage.Tests;

public sealed class LeaderEpochTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string Dir => _temp.Sub("topic-0");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Leader_appends_record_each_new_epoch_at_its_first_offset_and_survive_reopen()
    {
        using (var log = PartitionLog.Open(Dir, new LogConfig()))
        {
            log.Append(Batches.Of("a", "b"), leaderEpoch: 0);
            log.Append(Batches.Of("c"), leaderEpoch: 0);
            log.Append(Batches.Of("d"), leaderEpoch: 3);
            Assert.Equal([new EpochEntry(0, 0), new EpochEntry(3, 3)], log.LeaderEpochs.ToArray());
        }

        using var reopened = PartitionLog.Open(Dir, new LogConfig());
        Assert.Equal([new EpochEntry(0, 0), new EpochEntry(3, 3)], reopened.LeaderEpochs.ToArray());
        Assert.Equal(3, reopened.LatestEpoch);
    }

    [Fact]
    public void A_deposed_leader_cannot_append_with_an_older_epoch()
    {
        using var log = PartitionLog.Open(Dir, new LogConfig());
        log.Append(Batches.Of("a"), leaderEpoch: 2);
        var error = Assert.Throws<OrleansLogException>(() => log.Append(Batches.Of("b"), leaderEpoch: 1));
        Assert.Equal(ErrorCode.FencedLeaderEpoch, error.Code);
        Assert.Equal(1, log.LogEndOffset);
    }

    [Fact]
    public void Follower_appends_take_epochs_from_the_copied_batches()
    {
        using var leader = PartitionLog.Open(_temp.Sub("leader"), new LogConfig());
        leader.Append(Batches.Of("a", "b"), leaderEpoch: 1);
        leader.Append(Batches.Of("c"), leaderEpoch: 4);
        using var follower = PartitionLog.Open(Dir, new LogConfig());
        using (var read = leader.Read(0, 1 << 20))
        {
            follower.AppendAsFollower(read.Records.ToArray());
        }

        Assert.Equal(leader.LeaderEpochs.ToArray(), follower.LeaderEpochs.ToArray());
        Assert.Equal(3, follower.LogEndOffset);
    }

    [Fact]
    public void Truncation_forgets_epochs_that_started_after_the_cut()
    {
        using var log = PartitionLog.Open(Dir, new LogConfig());
        log.Append(Batches.Of("a", "b"), leaderEpoch: 0);
        log.Append(Batches.Of("c"), leaderEpoch: 1);
        log.Append(Batches.Of("d"), leaderEpoch: 2);
        log.TruncateTo(3);
        Assert.Equal([new EpochEntry(0, 0), new EpochEntry(1, 2)], log.LeaderEpochs.ToArray());
        log.Append(Batches.Of("e"), leaderEpoch: 5);
        Assert.Equal([new EpochEntry(0, 0), new EpochEntry(1, 2), new EpochEntry(5, 3)], log.LeaderEpochs.ToArray());
    }

    [Fact]
    public void Deleting_old_records_moves_the_first_epochs_start()
    {
        using var log = PartitionLog.Open(Dir, new LogConfig { SegmentBytes = 200 });
        for (var i = 0; i < 6; i++)
        {
            log.Append(Batches.Of(new string('x', 80)), leaderEpoch: i < 3 ? 0 : 1);
        }

        log.DeleteRecordsBefore(4);
        Assert.Equal(new EpochEntry(1, log.LogStartOffset), log.LeaderEpochs[0]);
        Assert.Single(log.LeaderEpochs);
    }

    [Fact]
    public void A_checkpoint_ahead_of_the_log_after_a_crash_is_cut_back_on_open()
    {
        var cache = LeaderEpochCache.Load(Storage.IO.DiskFileSystem.Instance, Dir);
        Directory.CreateDirectory(Dir);
        cache.Assign(0, 0);
        cache.Assign(7, 10);
        using var log = PartitionLog.Open(Dir, new LogConfig());
        Assert.Empty(log.LeaderEpochs);
    }

    [Theory]
    [InlineData("0@0", 10, "0@0", 10, 10)]           // identical
    [InlineData("0@0", 10, "0@0", 6, 6)]             // follower behind
    [InlineData("0@0 2@5", 10, "0@0 1@5", 8, 5)]     // follower wrote epoch 1 that the leader never had
    [InlineData("0@0 2@7", 10, "0@0 1@5", 8, 5)]     // epoch 1 diverges at 5 even though epoch 0 ran to 7 on the leader
    [InlineData("0@0 1@4 3@8", 12, "0@0 1@4", 10, 8)] // same epoch 1, but the leader's ended at 8
    [InlineData("0@0 2@5", 10, "0@0 1@3 3@8", 9, 3)] // the KIP-279 case: several follower epochs unknown to the leader
    [InlineData("", 5, "", 3, 3)]                    // logs from before epochs were recorded
    public void Divergence_is_the_first_offset_where_the_epochs_differ(string leader, long leaderEnd, string follower, long followerEnd, long expected)
    {
        Assert.Equal(expected, EpochDivergence.TruncationOffset(Parse(leader), 0, leaderEnd, Parse(follower), 0, followerEnd));
    }

    [Fact]
    public void Divergence_compares_only_offsets_both_logs_still_hold()
    {
        // The leader deleted everything below 50; the follower's old records there are not held against it.
        Assert.Equal(60, EpochDivergence.TruncationOffset(Parse("3@50"), 50, 80, Parse("1@0 3@40"), 0, 60));
        Assert.Equal(40, EpochDivergence.TruncationOffset(Parse("3@50"), 50, 80, Parse("1@0"), 0, 40));
    }

    private static ImmutableArray<EpochEntry> Parse(string entries) =>
        [.. entries.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(e => e.Split('@')).Select(p => new EpochEntry(int.Parse(p[0]), long.Parse(p[1])))];
}
