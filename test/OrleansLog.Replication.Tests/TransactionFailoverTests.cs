using System.Collections.Immutable;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Producers;
using OrleansLog.Testing;
using OrleansLog.Transactions;

namespace OrleansLog.Replication.Tests;

/// <summary>A partition's leader dies in the middle of a transaction: the new leader still holds it open, and its coordinator ends it there.</summary>
[Collection(ReplicatedCluster.Name)]
public class TransactionFailoverTests(ReplicatedClusterFixture fixture)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_transaction_open_when_its_leader_dies_is_ended_by_its_coordinator_on_the_new_leader(bool commit)
    {
        var name = commit ? "tx-failover-commit" : "tx-failover-abort";
        var topic = await fixture.CreateTopic(name, partitions: 2, configs: ImmutableDictionary<string, string>.Empty.Add(TopicConfig.MinInsyncReplicasKey, "2"));

        // Broker 0 is the primary silo, which the TestCluster cannot lose: use a partition led elsewhere.
        var victim = topic.Partitions.First(p => p.Leader != 0);
        var partition = new TopicPartition(name, victim.Partition);
        var coordinator = fixture.Grains.GetGrain<ITransactionCoordinatorGrain>($"{name}-producer");
        var producer = await coordinator.InitProducerId(60_000);
        var grain = fixture.Grains.GetPartitionGrain(name, victim.Partition);
        Assert.Equal(ErrorCode.None, (await grain.Produce(new ProduceRequest(Batches.Of("before")))).Error);
        await coordinator.AddPartitions(producer, [partition]);
        var data = await grain.Produce(new ProduceRequest(Batches.Transactional(producer.ProducerId, producer.Epoch, 0, "t1", "t2"), TransactionalId: $"{name}-producer"));
        Assert.Equal((ErrorCode.None, 1L), (data.Error, data.BaseOffset));
        await fixture.WaitInSync(name, victim.Partition);

        await fixture.KillBroker(victim.Leader);
        try
        {
            // The new leader rebuilt the open transaction from its copy of the log: read_committed readers stop at its start.
            await Wait.Until(async () => (await fixture.Leadership(name, victim.Partition)) is { IsOnline: true } l && l.Leader != victim.Leader, "a new leader", TimeSpan.FromSeconds(30));
            var open = await Read(grain, IsolationLevel.ReadCommitted);
            Assert.Equal(1L, open.Response.LastStableOffset);
            Assert.Equal(["before"], open.Values);

            await coordinator.EndTransaction(producer, commit);
            await Wait.Until(async () => (await Read(grain, IsolationLevel.ReadCommitted)).Response.LastStableOffset == 4, "the marker is written and replicated", TimeSpan.FromSeconds(30));
            var ended = await Read(grain, IsolationLevel.ReadCommitted);
            Assert.Equal(commit ? ["before", "t1", "t2"] : ["before"], ended.Values);
            Assert.Equal(commit ? [] : [new AbortedTransaction(producer.ProducerId, 1)], ended.Response.AbortedTransactions.IsDefault ? [] : ended.Response.AbortedTransactions.ToArray());
        }
        finally
        {
            await fixture.RestartBroker(victim.Leader);
        }

        await fixture.WaitInSync(name, victim.Partition);
    }

    /// <summary>The values a reader of <paramref name="isolation"/> keeps from the start (aborted transactions' batches and markers skipped).</summary>
    private static async Task<(FetchResponse Response, string[] Values)> Read(IPartitionGrain grain, IsolationLevel isolation)
    {
        var response = await grain.Fetch(new FetchRequest(0, MaxWaitMs: 0, Isolation: isolation));
        var aborted = response.AbortedTransactions.IsDefault ? [] : response.AbortedTransactions.Select(a => a.ProducerId).ToHashSet();
        var values = new List<string>();
        var batches = response.Records.Span;
        while (batches.Length >= Records.RecordBatchLayout.HeaderSize)
        {
            var header = Records.RecordBatchHeader.Read(batches);
            if (!header.IsControl && !(header.IsTransactional && aborted.Contains(header.ProducerId)))
            {
                values.AddRange(Batches.Records(batches[..header.SizeInBytes]).Select(r => r.Value));
            }

            batches = batches[header.SizeInBytes..];
        }

        return (response, [.. values]);
    }
}
