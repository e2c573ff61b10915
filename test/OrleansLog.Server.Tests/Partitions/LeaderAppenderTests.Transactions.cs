using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Producers;
using OrleansLog.Server.Partitions;
using OrleansLog.Server.Transactions;
using OrleansLog.Testing;

namespace OrleansLog.Server.Tests.Partitions;

/// <summary>The leader's side of transactions: the coordinator's check of a first batch, markers, the last stable offset, read_committed fetches.</summary>
public sealed partial class LeaderAppenderTests
{
    private static readonly TopicConfig Config = TopicConfig.Parse(null);

    [Fact]
    public async Task A_transactions_first_batch_is_appended_only_if_its_coordinator_holds_the_partition()
    {
        var appender = NewAppender();
        var batch = Batches.Transactional(7, 0, 0, "a");

        Assert.Equal(ErrorCode.InvalidTxnState, (await appender.AppendAsync(new ProduceRequest(batch), Config)).Error);
        Assert.Equal(ErrorCode.InvalidTxnState, (await appender.AppendAsync(new ProduceRequest(batch, TransactionalId: "tx"), Config)).Error);
        Assert.Equal(0, _log.LogEndOffset);

        _transactions.Hold("tx", new ProducerIdentity(7, 0), Id);
        Assert.Equal(ErrorCode.None, (await appender.AppendAsync(new ProduceRequest(batch, TransactionalId: "tx"), Config)).Error);
        var asked = _transactions.Calls;

        // The transaction is open here now: its next batches are not checked again.
        Assert.Equal(ErrorCode.None, (await appender.AppendAsync(new ProduceRequest(Batches.Transactional(7, 0, 1, "b"), TransactionalId: "tx"), Config)).Error);
        Assert.Equal(asked, _transactions.Calls);
    }

    [Fact]
    public async Task The_last_stable_offset_waits_for_the_marker_and_read_committed_skips_only_what_is_aborted()
    {
        var appender = NewAppender();
        _transactions.Hold("a", new ProducerIdentity(7, 0), Id);
        _transactions.Hold("b", new ProducerIdentity(8, 0), Id);
        await appender.AppendAsync(new ProduceRequest(Batches.Of("plain")), Config);
        await appender.AppendAsync(new ProduceRequest(Batches.Transactional(7, 0, 0, "a1", "a2"), TransactionalId: "a"), Config);
        await appender.AppendAsync(new ProduceRequest(Batches.Transactional(8, 0, 0, "b1"), TransactionalId: "b"), Config);
        Assert.Equal(4, _term.HighWatermark.Value);
        Assert.Equal(1, appender.LastStableOffset);

        Assert.Equal(ErrorCode.None, await appender.WriteMarkerAsync(new TransactionMarkerRequest(7, 0, Commit: false, CoordinatorEpoch: 0), Config));
        Assert.Equal(3, appender.LastStableOffset);
        Assert.Equal(ErrorCode.None, await appender.WriteMarkerAsync(new TransactionMarkerRequest(8, 0, Commit: true, CoordinatorEpoch: 0), Config));
        Assert.Equal(6, appender.LastStableOffset);

        var committed = await LongPollFetch.ServeAsync(_log, _term.HighWatermark, () => appender.LastStableOffset, new FetchRequest(0, Isolation: IsolationLevel.ReadCommitted), 1 << 20, _time, () => new OrleansLogException(ErrorCode.NotLeaderOrFollower, "ended"));
        Assert.Equal(6, committed.LastStableOffset);
        Assert.Equal([new AbortedTransaction(7, 1)], committed.AbortedTransactions.ToArray());
        Assert.Equal(6, committed.NextOffset);

        var uncommitted = await LongPollFetch.ServeAsync(_log, _term.HighWatermark, () => appender.LastStableOffset, new FetchRequest(4), 1 << 20, _time, () => new OrleansLogException(ErrorCode.NotLeaderOrFollower, "ended"));
        Assert.True(uncommitted.AbortedTransactions.IsDefaultOrEmpty);
    }

    [Fact]
    public async Task A_read_committed_fetch_stops_below_an_open_transaction()
    {
        var appender = NewAppender();
        _transactions.Hold("a", new ProducerIdentity(7, 0), Id);
        await appender.AppendAsync(new ProduceRequest(Batches.Of("x", "y")), Config);
        await appender.AppendAsync(new ProduceRequest(Batches.Transactional(7, 0, 0, "open"), TransactionalId: "a"), Config);

        var read = await LongPollFetch.ServeAsync(_log, _term.HighWatermark, () => appender.LastStableOffset, new FetchRequest(0, MaxWaitMs: 0, Isolation: IsolationLevel.ReadCommitted), 1 << 20, _time, () => new OrleansLogException(ErrorCode.NotLeaderOrFollower, "ended"));
        Assert.Equal([(0L, "x"), (1L, "y")], Batches.Records(read.Records.Span).ToArray());
        Assert.Equal(2, read.LastStableOffset);
        Assert.Equal(3, read.HighWatermark);
    }

    [Fact]
    public async Task A_fencing_marker_refuses_the_old_epoch_and_a_stale_marker_is_refused()
    {
        var appender = NewAppender();
        _transactions.Hold("a", new ProducerIdentity(7, 0), Id);
        await appender.AppendAsync(new ProduceRequest(Batches.Transactional(7, 0, 0, "x"), TransactionalId: "a"), Config);

        // The coordinator aborts a timed-out transaction under the next epoch.
        Assert.Equal(ErrorCode.None, await appender.WriteMarkerAsync(new TransactionMarkerRequest(7, 1, Commit: false, CoordinatorEpoch: 0), Config));
        Assert.Equal(ErrorCode.InvalidProducerEpoch, (await appender.AppendAsync(new ProduceRequest(Batches.Transactional(7, 0, 1, "late"), TransactionalId: "a"), Config)).Error);
        Assert.Equal(ErrorCode.InvalidProducerEpoch, await appender.WriteMarkerAsync(new TransactionMarkerRequest(7, 0, Commit: true, CoordinatorEpoch: 0), Config));
        Assert.Equal(1, _log.AbortedTransactionCount);
    }

    [Fact]
    public async Task A_new_term_finds_the_open_transaction_in_the_log()
    {
        _transactions.Hold("a", new ProducerIdentity(7, 0), Id);
        await NewAppender().AppendAsync(new ProduceRequest(Batches.Of("x")), Config);
        await NewAppender().AppendAsync(new ProduceRequest(Batches.Transactional(7, 0, 0, "open"), TransactionalId: "a"), Config);

        var next = NewAppender();
        Assert.Equal(1, next.LastStableOffset);
        Assert.Equal(ErrorCode.None, await next.WriteMarkerAsync(new TransactionMarkerRequest(7, 0, Commit: false, CoordinatorEpoch: 0), Config));
        Assert.Equal(3, next.LastStableOffset);
        Assert.Equal(1, _log.AbortedTransactionCount);
    }
}

/// <summary>A coordinator stand-in: partitions are in a producer's transaction once <see cref="Hold"/> says so.</summary>
internal sealed class FakeTransactionVerifier : ITransactionVerifier
{
    private readonly HashSet<(string, ProducerIdentity, TopicPartition)> _held = [];

    public int Calls { get; private set; }

    public void Hold(string transactionalId, ProducerIdentity producer, TopicPartition partition) => _held.Add((transactionalId, producer, partition));

    public Task<bool> IsInTransaction(string transactionalId, ProducerIdentity producer, TopicPartition partition)
    {
        Calls++;
        return Task.FromResult(_held.Contains((transactionalId, producer, partition)));
    }
}
