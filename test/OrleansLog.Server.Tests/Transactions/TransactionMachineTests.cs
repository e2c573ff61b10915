using OrleansLog.Partitions;
using OrleansLog.Producers;
using OrleansLog.Server.Transactions;
using OrleansLog.Transactions;

namespace OrleansLog.Server.Tests.Transactions;

/// <summary>The transaction coordinator's rules without a grain: producers, transitions, bounds.</summary>
public class TransactionMachineTests
{
    private static readonly TopicPartition Orders = new("orders", 0);

    private readonly TransactionMachine _machine = new(new TransactionCoordinatorState());

    [Fact]
    public void A_transaction_begins_with_its_first_partition_and_ends_in_two_phases()
    {
        _machine.Initialise(60_000, newProducerId: 5, nowMs: 1_000);
        var producer = new ProducerIdentity(5, 0);
        Assert.Null(_machine.CheckProducer(producer));

        Assert.True(_machine.AddPartitions([Orders], 10, nowMs: 2_000));
        Assert.False(_machine.AddPartitions([Orders], 10, nowMs: 2_500));
        Assert.Equal(62_000, _machine.Deadline);
        Assert.True(_machine.Holds(producer, Orders));

        Assert.True(_machine.Prepare(commit: true, nowMs: 3_000));
        Assert.True(_machine.IsPreparing);
        Assert.False(_machine.Holds(producer, Orders));
        Assert.Equal(ErrorCode.ConcurrentTransactions, Assert.Throws<OrleansLogException>(() => _machine.AddPartitions([Orders], 10, 3_500)).Code);

        _machine.Complete();
        Assert.Equal(TransactionState.CompleteCommit, _machine.State.State);
        Assert.False(_machine.Prepare(commit: true, nowMs: 4_000));
        Assert.Equal(ErrorCode.InvalidTxnState, Assert.Throws<OrleansLogException>(() => _machine.Prepare(commit: false, nowMs: 4_000)).Code);
    }

    [Fact]
    public void A_new_epoch_fences_the_old_producer_and_a_foreign_producer_id_is_refused()
    {
        _machine.Initialise(60_000, newProducerId: 5, nowMs: 0);
        _machine.Initialise(60_000, newProducerId: null, nowMs: 0);
        Assert.Equal(ErrorCode.ProducerFenced, _machine.CheckProducer(new ProducerIdentity(5, 0))!.Code);
        Assert.Equal(ErrorCode.InvalidProducerIdMapping, _machine.CheckProducer(new ProducerIdentity(6, 1))!.Code);
        Assert.Null(_machine.CheckProducer(new ProducerIdentity(5, 1)));
    }

    [Fact]
    public void A_fenced_abort_raises_the_epoch_the_markers_carry()
    {
        _machine.Initialise(1_000, newProducerId: 5, nowMs: 0);
        _machine.AddGroup("readers", 10, nowMs: 0);
        _machine.PrepareFencedAbort(nowMs: 2_000);
        Assert.Equal((TransactionState.PrepareAbort, (short)1), (_machine.State.State, _machine.State.ProducerEpoch));
        Assert.Equal(ErrorCode.ProducerFenced, _machine.CheckProducer(new ProducerIdentity(5, 0))!.Code);
        _machine.Complete();
        Assert.Equal(TransactionState.CompleteAbort, _machine.State.State);
        Assert.Empty(_machine.State.Groups);
    }

    [Fact]
    public void A_transaction_may_not_grow_past_its_bounds()
    {
        _machine.Initialise(1_000, newProducerId: 5, nowMs: 0);
        _machine.AddPartitions([Orders], 1, nowMs: 0);
        Assert.Equal(ErrorCode.InvalidRequest, Assert.Throws<OrleansLogException>(() => _machine.AddPartitions([new TopicPartition("orders", 1)], 1, 0)).Code);
        _machine.AddGroup("a", 1, nowMs: 0);
        Assert.Equal(ErrorCode.InvalidRequest, Assert.Throws<OrleansLogException>(() => _machine.AddGroup("b", 1, 0)).Code);
    }

    [Fact]
    public void The_epoch_runs_out_into_a_new_producer_id()
    {
        Assert.True(_machine.NeedsNewProducerId);
        _machine.Initialise(1_000, newProducerId: 5, nowMs: 0);
        Assert.False(_machine.NeedsNewProducerId);
        _machine.State.ProducerEpoch = short.MaxValue - 1;
        Assert.True(_machine.NeedsNewProducerId);
    }
}
