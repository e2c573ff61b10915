using OrleansLog.Records;
using OrleansLog.Server.Producers;
using OrleansLog.Testing;

namespace OrleansLog.Server.Tests.Producers;

/// <summary>The producer state table's side of transactions: open transactions, markers, the first unstable offset.</summary>
public class TransactionStateTests
{
    private readonly ProducerStateTable _table = new();

    [Fact]
    public void A_transactional_batch_opens_a_transaction_that_its_marker_closes()
    {
        Record(Transactional(7, 0, 0, 3), baseOffset: 10);
        Record(Transactional(7, 0, 3, 2), baseOffset: 20);
        Assert.Equal(10, _table.OpenTransactionOf(7));
        Assert.Equal(10, _table.FirstUnstableOffset);

        var done = _table.RecordMarker(7, 0, coordinatorEpoch: 0, commit: false, markerOffset: 22, timeMs: 0);
        Assert.Equal(new CompletedTransaction(7, 10, 22, Committed: false, LastStableOffset: 23), done);
        Assert.Null(_table.OpenTransactionOf(7));
        Assert.Null(_table.FirstUnstableOffset);

        // The producer's sequences go on after the marker, which has none.
        Assert.Equal(ProducerBatchVerdict.Append, _table.Check(Transactional(7, 0, 5, 1)).Verdict);
    }

    [Fact]
    public void The_first_unstable_offset_is_the_oldest_open_transaction_and_an_abort_records_it()
    {
        Record(Transactional(1, 0, 0, 1), baseOffset: 5);
        Record(Transactional(2, 0, 0, 1), baseOffset: 8);
        Record(Transactional(3, 0, 0, 1), baseOffset: 9);
        Assert.Equal(5, _table.FirstUnstableOffset);

        Assert.Equal(8, _table.RecordMarker(1, 0, 0, commit: true, markerOffset: 10, timeMs: 0)!.Value.LastStableOffset);
        Assert.Equal(8, _table.FirstUnstableOffset);
        Assert.Equal(9, _table.RecordMarker(2, 0, 0, commit: false, markerOffset: 11, timeMs: 0)!.Value.LastStableOffset);
        Assert.Equal(1, _table.OpenTransactionCount);
    }

    [Fact]
    public void A_plain_batch_in_the_middle_of_a_transaction_is_an_invalid_transaction_state()
    {
        Record(Transactional(7, 0, 0, 1), baseOffset: 0);
        var check = _table.Check(Header(Batches.Idempotent(7, 0, 1, "x")));
        Assert.Equal((ProducerBatchVerdict.Refuse, ErrorCode.InvalidTxnState), (check.Verdict, check.Error));
    }

    [Fact]
    public void A_marker_at_a_newer_epoch_fences_the_old_producer_and_starts_sequences_over()
    {
        Record(Transactional(7, 0, 0, 4), baseOffset: 0);
        _table.RecordMarker(7, 1, 0, commit: false, markerOffset: 4, timeMs: 0);

        Assert.Equal(ErrorCode.InvalidProducerEpoch, _table.Check(Transactional(7, 0, 4, 1)).Error);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, _table.Check(Transactional(7, 1, 4, 1)).Error);
        Assert.Equal(ProducerBatchVerdict.Append, _table.Check(Transactional(7, 1, 0, 1)).Verdict);
        Assert.Equal(ErrorCode.InvalidProducerEpoch, _table.CheckMarker(7, 0, 0)!.Value.Error);
        Assert.Equal(ErrorCode.TransactionCoordinatorFenced, _table.CheckMarker(7, 1, -1)!.Value.Error);
        Assert.Null(_table.CheckMarker(7, 1, 0));
        Assert.Null(_table.CheckMarker(99, 0, 0));
    }

    [Fact]
    public void A_producer_with_an_open_transaction_is_not_expired()
    {
        _table.Record(Transactional(1, 0, 0, 1) with { BaseOffset = 0 }, timeMs: 0);
        _table.Record(Header(Batches.Idempotent(2, 0, 0, "x")) with { BaseOffset = 1 }, timeMs: 0);
        Assert.Equal(1, _table.ExpireProducers(nowMs: 1_000_000, expirationMs: 1_000));
        Assert.Equal(0, _table.OpenTransactionOf(1));
    }

    [Fact]
    public void A_snapshot_keeps_open_transactions_and_a_version_1_snapshot_still_loads()
    {
        Record(Transactional(7, 0, 0, 2), baseOffset: 10);
        _table.RecordMarker(8, 0, coordinatorEpoch: 3, commit: true, markerOffset: 12, timeMs: 0);
        var restored = new ProducerStateTable();
        Assert.True(restored.LoadSnapshot(_table.ToSnapshot()));
        Assert.Equal(10, restored.FirstUnstableOffset);
        Assert.Equal(ErrorCode.TransactionCoordinatorFenced, restored.CheckMarker(8, 0, 2)!.Value.Error);

        // Version 1: count, then (id, epoch, lastSequence, lastTimeMs, batchCount) with no batches.
        byte[] v1 = [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9, 0, 2, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        Assert.True(restored.LoadSnapshot(v1, version: 1));
        Assert.Equal((short)2, restored.EpochOf(9));
        Assert.Null(restored.FirstUnstableOffset);
        Assert.Equal(ProducerBatchVerdict.Append, restored.Check(Header(Batches.Idempotent(9, 2, 5, "x"))).Verdict);
        Assert.False(restored.LoadSnapshot(v1, version: 3));
    }

    private void Record(RecordBatchHeader header, long baseOffset) => _table.Record(header with { BaseOffset = baseOffset }, timeMs: 0);

    private static RecordBatchHeader Transactional(long producerId, short epoch, int baseSequence, int count) =>
        Header(Batches.Transactional(producerId, epoch, baseSequence, [.. Enumerable.Range(0, count).Select(i => $"r{i}")]));

    private static RecordBatchHeader Header(byte[] batch) => RecordBatchHeader.Read(batch);
}
