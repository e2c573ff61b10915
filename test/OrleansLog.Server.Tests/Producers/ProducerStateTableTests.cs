using OrleansLog.Records;
using OrleansLog.Server.Producers;
using OrleansLog.Testing;

namespace OrleansLog.Server.Tests.Producers;

public class ProducerStateTableTests
{
    private readonly ProducerStateTable _table = new();

    [Fact]
    public void An_unknown_producer_may_start_at_any_sequence()
    {
        Assert.Equal(ProducerBatchVerdict.Append, _table.Check(Header(7, 0, 42, 3)).Verdict);
    }

    [Fact]
    public void The_next_batch_in_sequence_is_appended()
    {
        Record(7, 0, 0, 3, baseOffset: 0);
        Assert.Equal(ProducerBatchVerdict.Append, _table.Check(Header(7, 0, 3, 2)).Verdict);
    }

    [Fact]
    public void A_retried_batch_is_a_duplicate_with_its_original_offsets()
    {
        Record(7, 0, 0, 3, baseOffset: 10);
        Record(7, 0, 3, 2, baseOffset: 20);
        var check = _table.Check(Header(7, 0, 0, 3));
        Assert.Equal(ProducerBatchVerdict.Duplicate, check.Verdict);
        Assert.Equal(10, check.FirstOffset);
        Assert.Equal(12, check.LastOffset);
    }

    [Fact]
    public void A_snapshot_restores_every_producer_and_its_cached_batches_and_damaged_bytes_restore_nothing()
    {
        Record(7, 0, 0, 3, baseOffset: 10);
        Record(7, 0, 3, 2, baseOffset: 20);
        Record(9, 2, 0, 1, baseOffset: 30);
        var snapshot = _table.ToSnapshot();

        var restored = new ProducerStateTable();
        Assert.True(restored.LoadSnapshot(snapshot));

        Assert.Equal(2, restored.ProducerCount);
        Assert.Equal((ProducerBatchVerdict.Duplicate, 10L), (restored.Check(Header(7, 0, 0, 3)).Verdict, restored.Check(Header(7, 0, 0, 3)).FirstOffset));
        Assert.Equal(ProducerBatchVerdict.Append, restored.Check(Header(7, 0, 5, 1)).Verdict);
        Assert.Equal(ProducerBatchVerdict.Refuse, restored.Check(Header(9, 1, 1, 1)).Verdict);
        Assert.False(restored.LoadSnapshot(snapshot.AsSpan(0, snapshot.Length - 3)));
        Assert.Equal(0, restored.ProducerCount);
    }

    [Fact]
    public void A_gap_in_sequence_is_out_of_order()
    {
        Record(7, 0, 0, 3, baseOffset: 0);
        var check = _table.Check(Header(7, 0, 5, 1));
        Assert.Equal(ProducerBatchVerdict.Refuse, check.Verdict);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, check.Error);
    }

    [Fact]
    public void Only_the_last_five_batches_are_remembered()
    {
        for (var i = 0; i < 6; i++)
        {
            Record(7, 0, i, 1, baseOffset: i);
        }

        Assert.Equal(ProducerBatchVerdict.Refuse, _table.Check(Header(7, 0, 0, 1)).Verdict);
        Assert.Equal(ProducerBatchVerdict.Duplicate, _table.Check(Header(7, 0, 1, 1)).Verdict);
    }

    [Fact]
    public void An_older_epoch_is_fenced_and_a_newer_one_must_start_at_zero()
    {
        Record(7, 2, 0, 1, baseOffset: 0);
        Assert.Equal(ErrorCode.InvalidProducerEpoch, _table.Check(Header(7, 1, 1, 1)).Error);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, _table.Check(Header(7, 3, 5, 1)).Error);
        Assert.Equal(ProducerBatchVerdict.Append, _table.Check(Header(7, 3, 0, 1)).Verdict);
    }

    [Fact]
    public void Sequences_wrap_at_int_max()
    {
        Record(7, 0, int.MaxValue, 1, baseOffset: 0);
        Assert.Equal(ProducerBatchVerdict.Append, _table.Check(Header(7, 0, 0, 1)).Verdict);
    }

    [Fact]
    public void The_loader_rebuilds_the_table_from_the_log()
    {
        using var directory = new TempDirectory();
        using (var log = Storage.PartitionLog.Open(directory.Path, new Storage.LogConfig()))
        {
            log.Append(Batches.Idempotent(3, 0, 0, "a", "b"));
            log.Append(Batches.Of("plain"));
            log.Append(Batches.Idempotent(3, 0, 2, "c"));
            ProducerStateLoader.Load(log, _table);
        }

        var duplicate = _table.Check(RecordBatchHeader.Read(Batches.Idempotent(3, 0, 2, "c")));
        Assert.Equal(ProducerBatchVerdict.Duplicate, duplicate.Verdict);
        Assert.Equal(3, duplicate.FirstOffset);
        Assert.Equal(ProducerBatchVerdict.Append, _table.Check(RecordBatchHeader.Read(Batches.Idempotent(3, 0, 3, "d"))).Verdict);
    }

    [Fact]
    public async Task A_snapshot_still_describes_a_log_whose_batch_below_it_was_cleaned_away()
    {
        using var directory = new TempDirectory();
        using var log = Storage.PartitionLog.Open(directory.Path, new Storage.LogConfig { Compact = true });
        log.Append(Batches.Keyed(CompressionType.None, 1_000, [("p", "1")], producerId: 3, baseSequence: 0), leaderEpoch: 1);
        log.Append(Batches.Keyed(CompressionType.None, 1_000, [("a", "1")]), leaderEpoch: 1);
        _table.Record(RecordBatchHeader.Read(Batches.Idempotent(3, 0, 0, "p")) with { BaseOffset = 0 }, timeMs: 0);
        ProducerStateLoader.Snapshot(log, _table, log.LogEndOffset);

        // A new leader overwrites "a": the batch just below the snapshot goes with the next cleaning.
        log.Append(Batches.Keyed(CompressionType.None, 1_000, [("a", "2")]), leaderEpoch: 2);
        log.Roll();
        Assert.True((await log.CleanAsync(new Storage.Compaction.OffsetMap(1 << 16), log.LogEndOffset)).Cleaned);

        var table = new ProducerStateTable();
        Assert.Equal(2, ProducerStateLoader.Load(log, table));
        Assert.True(table.Knows(3));
    }

    private void Record(long producerId, short epoch, int baseSequence, int count, long baseOffset) =>
        _table.Record(Header(producerId, epoch, baseSequence, count) with { BaseOffset = baseOffset }, timeMs: 0);

    private static RecordBatchHeader Header(long producerId, short epoch, int baseSequence, int count) =>
        RecordBatchHeader.Read(Batches.Idempotent(producerId, epoch, baseSequence, [.. Enumerable.Range(0, count).Select(i => $"r{i}")]));
}
