using OrleansLog.Testing;

namespace OrleansLog.Storage.Tests;

/// <summary>Reopening after a crash, with real damaged files: torn tails, flipped bytes, lost or broken indexes.</summary>
public sealed class LogRecoveryTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string Dir => _temp.Sub("topic-0");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_batch_torn_mid_write_is_cut_and_earlier_batches_survive()
    {
        var sizes = WriteBatches(5);
        CrashLeftovers();
        var logFile = ActiveLogFile();
        using (var stream = new FileStream(logFile, FileMode.Open))
        {
            stream.SetLength(sizes.Take(4).Sum() + (sizes[4] / 2));
        }

        using var log = PartitionLog.Open(Dir, new LogConfig());
        Assert.True(log.Recovery.WasUnclean);
        Assert.Equal(sizes[4] / 2, log.Recovery.TruncatedBytes);
        Assert.Equal(4, log.LogEndOffset);
        Assert.Equal(["v0", "v1", "v2", "v3"], Batches.ReadAll(log).Select(r => r.Value));
        log.Append(Batches.Of("after"));
        Assert.Equal((4, "after"), Batches.ReadAll(log)[^1]);
    }

    [Fact]
    public void A_flipped_byte_in_the_last_batch_cuts_only_that_batch()
    {
        var sizes = WriteBatches(5);
        CrashLeftovers();
        FlipByte(ActiveLogFile(), sizes.Take(4).Sum() + sizes[4] - 3);

        using var log = PartitionLog.Open(Dir, new LogConfig());
        Assert.Equal(4, log.LogEndOffset);
        Assert.Equal(sizes[4], log.Recovery.TruncatedBytes);
    }

    [Fact]
    public void A_flipped_byte_in_a_middle_batch_cuts_from_there()
    {
        var sizes = WriteBatches(5);
        CrashLeftovers();
        FlipByte(ActiveLogFile(), sizes[0] + sizes[1] + 30);

        using var log = PartitionLog.Open(Dir, new LogConfig());
        Assert.Equal(2, log.LogEndOffset);
        Assert.Equal(["v0", "v1"], Batches.ReadAll(log).Select(r => r.Value));
    }

    [Fact]
    public void A_zero_filled_tail_is_cut()
    {
        WriteBatches(3);
        CrashLeftovers();
        using (var stream = new FileStream(ActiveLogFile(), FileMode.Append))
        {
            stream.Write(new byte[4096]);
        }

        using var log = PartitionLog.Open(Dir, new LogConfig());
        Assert.Equal(3, log.LogEndOffset);
        Assert.Equal(4096, log.Recovery.TruncatedBytes);
    }

    [Fact]
    public void A_deleted_index_of_a_sealed_segment_is_rebuilt()
    {
        var config = new LogConfig { SegmentBytes = 300, IndexIntervalBytes = 1 };
        WriteBatches(20, config);
        var firstIndex = Directory.GetFiles(Dir, "*.index").Order().First();
        File.Delete(firstIndex);

        using var log = PartitionLog.Open(Dir, config);
        Assert.Equal(1, log.Recovery.RebuiltIndexes);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"v{i}"), Batches.ReadAll(log).Select(r => r.Value));
        using var read = log.Read(1, 1);
        Assert.Equal([(1, "v1")], Batches.Records(read.Records.Span));
    }

    [Fact]
    public void A_damaged_index_is_rebuilt_instead_of_trusted()
    {
        var config = new LogConfig { SegmentBytes = 300, IndexIntervalBytes = 1 };
        WriteBatches(20, config);
        foreach (var index in Directory.GetFiles(Dir, "*.index").Concat(Directory.GetFiles(Dir, "*.timeindex")))
        {
            var bytes = File.ReadAllBytes(index);
            if (bytes.Length > 20)
            {
                bytes[20] ^= 0x55;
                File.WriteAllBytes(index, bytes);
            }
        }

        using var log = PartitionLog.Open(Dir, config);
        Assert.True(log.Recovery.RebuiltIndexes > 0);
        for (var offset = 0; offset < 20; offset++)
        {
            using var read = log.Read(offset, 1);
            Assert.Equal([(offset, $"v{offset}")], Batches.Records(read.Records.Span));
        }
    }

    [Fact]
    public void A_corrupt_sealed_segment_drops_the_segments_after_it()
    {
        var config = new LogConfig { SegmentBytes = 300 };
        var sizes = WriteBatches(20, config);
        var first = Directory.GetFiles(Dir, "*.log").Order().First();
        File.Delete(Path.ChangeExtension(first, ".index"));
        FlipByte(first, sizes[0] + 40);

        using var log = PartitionLog.Open(Dir, config);
        Assert.Equal(1, log.LogEndOffset);
        Assert.Equal(1, log.SegmentCount);
        log.Append(Batches.Of("next"));
        Assert.Equal(["v0", "next"], Batches.ReadAll(log).Select(r => r.Value));
    }

    [Fact]
    public void Leftover_temp_files_and_orphan_indexes_are_removed()
    {
        WriteBatches(2);
        File.WriteAllText(Path.Combine(Dir, "00000000000000000000.index.tmp"), "junk");
        File.WriteAllText(Path.Combine(Dir, "00000000000000000099.index"), "junk");

        using var log = PartitionLog.Open(Dir, new LogConfig());
        Assert.False(File.Exists(Path.Combine(Dir, "00000000000000000000.index.tmp")));
        Assert.False(File.Exists(Path.Combine(Dir, "00000000000000000099.index")));
        Assert.Equal(2, log.LogEndOffset);
    }

    [Fact]
    public void A_clean_close_is_reopened_without_verification()
    {
        WriteBatches(3);
        using var log = PartitionLog.Open(Dir, new LogConfig());
        Assert.False(log.Recovery.WasUnclean);
        Assert.Equal(3, log.LogEndOffset);
    }

    private List<int> WriteBatches(int count, LogConfig? config = null)
    {
        var sizes = new List<int>();
        using var log = PartitionLog.Open(Dir, config ?? new LogConfig());
        for (var i = 0; i < count; i++)
        {
            var batch = Batches.Of($"v{i}");
            log.Append(batch);
            sizes.Add(batch.Length);
        }

        return sizes;
    }

    /// <summary>What a crash leaves: no clean-shutdown marker and no index files for the active segment.</summary>
    private void CrashLeftovers()
    {
        File.Delete(Path.Combine(Dir, ".clean-shutdown"));
        var active = ActiveLogFile();
        File.Delete(Path.ChangeExtension(active, ".index"));
        File.Delete(Path.ChangeExtension(active, ".timeindex"));
    }

    private string ActiveLogFile() => Directory.GetFiles(Dir, "*.log").Order().Last();

    private static void FlipByte(string path, long position)
    {
        using var stream = new FileStream(path, FileMode.Open);
        stream.Position = position;
        var b = stream.ReadByte();
        stream.Position = position;
        stream.WriteByte((byte)(b ^ 0xFF));
    }
}
