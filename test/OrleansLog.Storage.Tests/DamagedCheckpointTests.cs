using OrleansLog.Records;
using OrleansLog.Storage.Epochs;
using OrleansLog.Storage.IO;
using OrleansLog.Testing;

namespace OrleansLog.Storage.Tests;

/// <summary>
/// A checkpoint that fails its checksum is never read as empty: the log start offset checkpoint (which
/// hides deleted records) stops the open with a message naming the file; the leader epoch checkpoint
/// (without which a follower would cut its whole log) is rebuilt from the epochs stamped in the batches;
/// the high watermark checkpoint, which only speeds up a restart, reads as zero.
/// </summary>
public sealed class DamagedCheckpointTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string Dir => _temp.Sub("topic-0");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_damaged_log_start_checkpoint_stops_the_open_instead_of_serving_deleted_records()
    {
        using (var log = PartitionLog.Open(Dir, new LogConfig()))
        {
            log.Append(Batches.Of("deleted", "deleted", "kept"));
            log.DeleteRecordsBefore(2);
        }

        var checkpoint = Path.Combine(Dir, "log-start-offset");
        FlipLastBit(checkpoint);

        var error = Assert.Throws<DamagedFileException>(() => PartitionLog.Open(Dir, new LogConfig()));
        Assert.Equal(ErrorCode.KafkaStorageError, error.Code);
        Assert.Contains(checkpoint, error.Message);
        Assert.Throws<DamagedFileException>(() => PartitionLog.VerifyCheckpoints(Dir));
    }

    [Fact]
    public void A_damaged_leader_epoch_checkpoint_is_rebuilt_from_the_batches()
    {
        using (var log = PartitionLog.Open(Dir, new LogConfig()))
        {
            log.Append(Batches.Of("a", "b"), leaderEpoch: 3);
            log.Roll();
            log.Append(Batches.Of("c"), leaderEpoch: 3);
            log.Append(Batches.Of("d", "e"), leaderEpoch: 5);
            Assert.Equal<EpochEntry>([new EpochEntry(3, 0), new EpochEntry(5, 3)], log.LeaderEpochs.ToArray());
        }

        FlipLastBit(Path.Combine(Dir, LeaderEpochCache.FileName));

        using (var reopened = PartitionLog.Open(Dir, new LogConfig()))
        {
            Assert.Equal<EpochEntry>([new EpochEntry(3, 0), new EpochEntry(5, 3)], reopened.LeaderEpochs.ToArray());
        }

        using var again = PartitionLog.Open(Dir, new LogConfig());
        Assert.Equal<EpochEntry>([new EpochEntry(3, 0), new EpochEntry(5, 3)], again.LeaderEpochs.ToArray());
    }

    [Fact]
    public void The_high_watermark_checkpoint_survives_a_reopen_is_clamped_to_the_log_and_a_damaged_one_reads_as_zero()
    {
        using (var log = PartitionLog.Open(Dir, new LogConfig()))
        {
            log.Append(Batches.Of("a"));
            log.Append(Batches.Of("b"));
            log.Append(Batches.Of("c"));
            Assert.Equal(0, log.CheckpointedHighWatermark);
            log.CheckpointHighWatermark(2);
        }

        using (var reopened = PartitionLog.Open(Dir, new LogConfig()))
        {
            Assert.Equal(2, reopened.CheckpointedHighWatermark);
            reopened.TruncateTo(1);
            Assert.Equal(1, reopened.CheckpointedHighWatermark);
        }

        FlipLastBit(Path.Combine(Dir, "high-watermark"));
        using var damaged = PartitionLog.Open(Dir, new LogConfig());
        Assert.Equal(0, damaged.CheckpointedHighWatermark);
    }

    private static void FlipLastBit(string path)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0x01;
        File.WriteAllBytes(path, bytes);
    }
}
