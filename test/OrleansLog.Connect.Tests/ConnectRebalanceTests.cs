using System.Collections.Immutable;
using OrleansLog.Client;
using OrleansLog.Testing;

namespace OrleansLog.Connect.Tests;

/// <summary>Tasks of a connector spread over three silos, move off a silo that dies and onto one that joins, and keep delivering.</summary>
public sealed class ConnectRebalanceTests(ConnectClusterFixture cluster, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<ConnectClusterFixture>
{
    private const string Topic = "rebalanced";

    [Fact]
    public async Task Tasks_move_off_a_dead_silo_and_onto_a_joining_one_and_every_record_is_delivered()
    {
        using var receiver = new HttpReceiver();
        await cluster.CreateTopic(Topic, 3);

        // Created from broker 2, the connector's grain mostly activates there (placement prefers the caller's silo) and
        // then dies with it: its new activation never saw where the tasks ran, and must still move one onto the silo that joins.
        var created = await cluster.BrokerService<IGrainFactory>(2).GetGrain<IConnectorGrain>("http-out").Put(ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, string>
        {
            ["connector.class"] = "HttpSink",
            ["http.url"] = receiver.Url,
            ["topics"] = Topic,
            ["tasks.max"] = "3",
        }), createOnly: true);
        Assert.False(created.IsError, created.Message);
        var connector = cluster.Inside.GetGrain<IConnectorGrain>("http-out");

        var spread = await WaitForWorkers(connector, 3, "three tasks on three silos");
        await ProduceAndReceive(receiver, 0);

        var connectorSilo = (await connector.Status()).Value!.Connector.WorkerId;
        var victim = Enumerable.Range(1, 2).FirstOrDefault(i => cluster.BrokerSilo(i).SiloAddress.Endpoint.ToString() == connectorSilo, 2);
        var dead = cluster.BrokerSilo(victim).SiloAddress.Endpoint.ToString();
        Assert.Contains(dead, spread);
        await cluster.KillBroker(victim);
        var survivors = await WaitForWorkers(connector, 2, "the dead silo's task running on a survivor");
        output.WriteLine($"{DateTime.UtcNow:O} connector on {connectorSilo}, spread {string.Join(",", spread)} survivors {string.Join(",", survivors)}");
        Assert.DoesNotContain(dead, survivors);
        await ProduceAndReceive(receiver, 1);

        await cluster.RestartBroker(victim);
        var rejoined = await WaitForWorkers(connector, 3, "a task moved onto the joining silo");
        output.WriteLine($"{DateTime.UtcNow:O} rejoined {string.Join(",", rejoined)} posts {receiver.Posts}");
        await ProduceAndReceive(receiver, 2);
    }

    /// <summary>Waits until every task runs and the tasks run on <paramref name="silos"/> distinct silos; returns those silos.</summary>
    private static async Task<HashSet<string>> WaitForWorkers(IConnectorGrain connector, int silos, string what)
    {
        var workers = new HashSet<string>();
        ConnectorStatus? last = null;
        try
        {
            await Wait.Until(async () =>
            {
                last = (await connector.Status()).Value!;
                workers = [.. last.Tasks.Select(t => t.WorkerId)];
                return last.Tasks.Length == 3 && last.Tasks.All(t => t.State == ConnectStates.Running) && workers.Count == silos;
            }, what, TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(200));
        }
        catch (Xunit.Sdk.FailException e)
        {
            var tasks = last is null ? "none" : string.Join("; ", last.Tasks.Select(t => $"{t.Id} {t.State} on {t.WorkerId} {t.Trace}"));
            throw new Xunit.Sdk.XunitException($"{e.Message} Last seen: connector on {last?.Connector.WorkerId}, tasks {tasks}", e);
        }

        return workers;
    }

    /// <summary>Produces 300 records (round <paramref name="round"/>) and waits until the endpoint has received each.</summary>
    private async Task ProduceAndReceive(HttpReceiver receiver, int round)
    {
        await using (var producer = new OrleansLogClient(cluster.Inside).CreateProducer<string, string>())
        {
            for (var i = 0; i < 300; i++)
            {
                producer.Produce(Topic, new Message<string, string> { Key = $"k{i}", Value = $"{round}-{i}" });
            }

            await producer.FlushAsync();
        }

        var expected = Enumerable.Range(0, 300).Select(i => $"\"{round}-{i}\"").ToHashSet();
        await Wait.Until(() => expected.IsSubsetOf(receiver.Values), $"round {round}'s 300 records received", TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(200));
    }
}
