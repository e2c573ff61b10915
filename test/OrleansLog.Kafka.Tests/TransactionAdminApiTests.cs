using Confluent.Kafka;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Testing;

namespace OrleansLog.Kafka.Tests;

/// <summary>
/// ListTransactions and DescribeTransactions, the APIs Kafka's <c>kafka-transactions.sh list</c> and <c>describe</c> send
/// (Kafka's Java tools cannot be fetched on this machine: no Maven registry), framed from Kafka's schemas against a broker
/// process with one open and one committed transaction made by Confluent.Kafka.
/// </summary>
public class TransactionAdminApiTests(KafkaBrokerFixture broker) : IClassFixture<KafkaBrokerFixture>
{
    private static readonly TimeSpan Answer = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ListTransactions_and_DescribeTransactions_show_an_open_and_a_committed_transaction()
    {
        const string topic = "admin-tx";
        await broker.Native.Admin.CreateTopicAsync(topic, 2);
        using var open = Transactional("admin-open");
        open.InitTransactions(Answer);
        open.BeginTransaction();
        await open.ProduceAsync(new TopicPartition(topic, 1), new Message<string, string> { Key = "k", Value = "v" });
        using (var done = Transactional("admin-done"))
        {
            done.InitTransactions(Answer);
            done.BeginTransaction();
            await done.ProduceAsync(new TopicPartition(topic, 0), new Message<string, string> { Key = "k", Value = "v" });
            done.CommitTransaction(Answer);
        }

        using var connection = await RawKafkaConnection.OpenAsync(broker.Silo.KafkaPort);
        var all = await List(connection, states: [], minimumDurationMs: -1);
        Assert.Contains(("admin-open", "Ongoing"), all.Select(t => (t.Id, t.State)));
        Assert.Contains(("admin-done", "CompleteCommit"), all.Select(t => (t.Id, t.State)));
        var ongoing = await List(connection, states: ["Ongoing", "Bogus"], minimumDurationMs: 0);
        Assert.Equal(["admin-open"], ongoing.Select(t => t.Id).Where(id => id.StartsWith("admin-", StringComparison.Ordinal)));

        var described = await Describe(connection, ["admin-open", "admin-nobody"]);
        Assert.Equal(OrleansLog.ErrorCode.None, (OrleansLog.ErrorCode)described[0].Error);
        Assert.Equal(("admin-open", "Ongoing", 60_000), (described[0].Id, described[0].State, described[0].TimeoutMs));
        Assert.True(described[0].ProducerId >= 0 && described[0].StartMs > 0);
        Assert.Equal([$"{topic}-1"], described[0].Partitions);
        Assert.Equal(OrleansLog.ErrorCode.TransactionalIdNotFound, (OrleansLog.ErrorCode)described[1].Error);

        // The same through the CLI.
        var list = await CliRunner.RunAsync(broker.Silo.Gateway, null, "transactions", "list");
        Assert.True(list.ExitCode == 0, list.Stderr);
        Assert.Contains(list.Stdout.Split('\n'), line => line.StartsWith("admin-open ", StringComparison.Ordinal) && line.TrimEnd().EndsWith("Ongoing", StringComparison.Ordinal));
        Assert.Contains(list.Stdout.Split('\n'), line => line.StartsWith("admin-done ", StringComparison.Ordinal) && line.TrimEnd().EndsWith("CompleteCommit", StringComparison.Ordinal));
        var describe = await CliRunner.RunAsync(broker.Silo.Gateway, null, "transactions", "describe", "admin-open");
        Assert.True(describe.ExitCode == 0, describe.Stderr);
        Assert.Contains("State: Ongoing", describe.Stdout, StringComparison.Ordinal);
        Assert.Contains($"Partitions: {topic}-1", describe.Stdout, StringComparison.Ordinal);
        var unknown = await CliRunner.RunAsync(broker.Silo.Gateway, null, "transactions", "describe", "admin-nobody");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("TRANSACTIONAL_ID_NOT_FOUND", unknown.Stderr, StringComparison.Ordinal);
        open.AbortTransaction(Answer);
    }

    private IProducer<string, string> Transactional(string transactionalId) =>
        new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = broker.Bootstrap, TransactionalId = transactionalId, LingerMs = 5 }).Build();

    private static async Task<List<(string Id, long ProducerId, string State)>> List(RawKafkaConnection connection, string[] states, long minimumDurationMs)
    {
        await connection.SendAsync(RawKafkaConnection.Frame(ApiKey.ListTransactions, 1, 7, w =>
        {
            w.WriteArrayLength(states.Length, flexible: true);
            foreach (var state in states)
            {
                w.WriteString(state, flexible: true);
            }

            w.WriteArrayLength(0, flexible: true);
            w.WriteInt64(minimumDurationMs);
            w.WriteEmptyTaggedFields(flexible: true);
        }, flexible: true));
        var reader = Body(await connection.ReceiveAsync(Answer), 7);
        reader.ReadInt32();
        Assert.Equal(0, reader.ReadInt16());
        var unknown = new List<string>();
        for (var n = reader.ReadArrayLength(flexible: true); n > 0; n--)
        {
            unknown.Add(reader.ReadString(flexible: true));
        }

        Assert.Equal(states.Where(s => s == "Bogus"), unknown);
        var listed = new List<(string, long, string)>();
        for (var n = reader.ReadArrayLength(flexible: true); n > 0; n--)
        {
            listed.Add((reader.ReadString(flexible: true), reader.ReadInt64(), reader.ReadString(flexible: true)));
            reader.SkipTaggedFields(flexible: true);
        }

        return listed;
    }

    private static async Task<List<(short Error, string Id, string State, int TimeoutMs, long StartMs, long ProducerId, List<string> Partitions)>> Describe(RawKafkaConnection connection, string[] ids)
    {
        await connection.SendAsync(RawKafkaConnection.Frame(ApiKey.DescribeTransactions, 0, 8, w =>
        {
            w.WriteArrayLength(ids.Length, flexible: true);
            foreach (var id in ids)
            {
                w.WriteString(id, flexible: true);
            }

            w.WriteEmptyTaggedFields(flexible: true);
        }, flexible: true));
        var reader = Body(await connection.ReceiveAsync(Answer), 8);
        reader.ReadInt32();
        var described = new List<(short, string, string, int, long, long, List<string>)>();
        for (var n = reader.ReadArrayLength(flexible: true); n > 0; n--)
        {
            var error = reader.ReadInt16();
            var id = reader.ReadString(flexible: true);
            var state = reader.ReadString(flexible: true);
            var timeout = reader.ReadInt32();
            var start = reader.ReadInt64();
            var producerId = reader.ReadInt64();
            reader.ReadInt16();
            var partitions = new List<string>();
            for (var t = reader.ReadArrayLength(flexible: true); t > 0; t--)
            {
                var name = reader.ReadString(flexible: true);
                partitions.AddRange(reader.ReadInt32Array(flexible: true).Select(p => $"{name}-{p}"));
                reader.SkipTaggedFields(flexible: true);
            }

            reader.SkipTaggedFields(flexible: true);
            described.Add((error, id, state, timeout, start, producerId, partitions));
        }

        return described;
    }

    /// <summary>A flexible response's body: after the correlation id (checked) and the header's tagged fields.</summary>
    private static KafkaReader Body(byte[]? response, int correlationId)
    {
        Assert.NotNull(response);
        var reader = new KafkaReader(response);
        Assert.Equal(correlationId, reader.ReadInt32());
        reader.SkipTaggedFields(flexible: true);
        return reader;
    }
}
