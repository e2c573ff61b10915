using System.Collections.Concurrent;
using OrleansLog.Client;
using OrleansLog.Client.Hosting;
using OrleansLog.Client.Producing;
using OrleansLog.Metadata;
using OrleansLog.Testing;

namespace OrleansLog.Cluster.Tests;

/// <summary>Three broker processes on PostgreSQL with mutual TLS on every Orleans connection (silo to silo, client to gateway), from a test CA.</summary>
public sealed class TlsClusterFixture : PostgresClusterFixture
{
    public TestCertificates Authority { get; private set; } = null!;

    public (string Certificate, string Key) Broker { get; private set; }

    public (string Certificate, string Key) ClientCertificate { get; private set; }

    protected override Task PrepareAsync()
    {
        Authority = new TestCertificates(Root.Sub("pki"));
        Broker = Authority.IssueServer();
        ClientCertificate = Authority.IssueClient("client", "CN=test-client");
        return Task.CompletedTask;
    }

    protected override IReadOnlyList<string> ExtraArguments(int brokerId) =>
    [
        "--cluster-tls", "true",
        $"--OrleansLog:Tls:CertificatePath={Broker.Certificate}",
        $"--OrleansLog:Tls:KeyPath={Broker.Key}",
        $"--OrleansLog:Tls:CaPath={Authority.CaPath}",
    ];

    protected override void ConfigureClient(OrleansLogClientOptions options)
    {
        options.TlsCertificatePath = ClientCertificate.Certificate;
        options.TlsKeyPath = ClientCertificate.Key;
        options.TlsCaPath = Authority.CaPath;
    }
}

/// <summary>One TLS cluster for the classes that test over it.</summary>
[CollectionDefinition(Name)]
public sealed class TlsCluster : ICollectionFixture<TlsClusterFixture>
{
    public const string Name = "tls cluster";
}

/// <summary>
/// The failover suite of <see cref="ClusterFailoverTests"/> (a leader's and the coordinator's SIGKILL, a controlled
/// shutdown, PostgreSQL stopped) run again over a cluster whose Orleans connections all run mutual TLS.
/// </summary>
[Collection(TlsCluster.Name)]
public sealed class TlsClusterFailoverTests(TlsClusterFixture cluster, Xunit.Abstractions.ITestOutputHelper output) : ClusterFailoverTests(cluster, output);

/// <summary>
/// A cluster whose Orleans connections all run mutual TLS: replication and a leader's SIGKILL work over it with nothing
/// acknowledged lost; the CLI with a client certificate works, and without one, or with one from another authority,
/// it cannot reach a gateway.
/// </summary>
[Collection(TlsCluster.Name)]
public sealed class TlsClusterTests(TlsClusterFixture cluster)
{
    [Fact]
    public async Task Replication_and_a_leaders_sigkill_work_over_mutual_tls_with_nothing_acknowledged_lost()
    {
        const string topic = "tls-payments";
        var client = cluster.Client;
        var created = await client.Admin.CreateTopicAsync(topic, 1, 3, new Dictionary<string, string> { [TopicConfig.MinInsyncReplicasKey] = "2" });
        await cluster.WaitFullyInSync(topic);
        var acknowledged = new ConcurrentDictionary<string, long>();
        await using (var producer = client.CreateProducer<string, string>(new ProducerConfig { RequestTimeout = TimeSpan.FromSeconds(5), DeliveryTimeout = TimeSpan.FromSeconds(90) }))
        {
            async Task Produce(int from, int to) =>
                await Task.WhenAll(Enumerable.Range(from, to - from).Select(async i =>
                {
                    var result = await producer.ProduceAsync(topic, new Message<string, string> { Key = $"k{i}", Value = $"v{i}" });
                    acknowledged[$"v{i}"] = result.Offset;
                }));

            await Produce(0, 200);
            await cluster.KillBroker(created.Partitions[0].Leader);
            await Produce(200, 400);
        }

        await cluster.RestartBroker(created.Partitions[0].Leader);
        await cluster.WaitFullyInSync(topic);
        var log = (await LogReader.ReadAll(client, topic, 0)).ToDictionary(r => r.Value, r => r.Offset);
        Assert.Equal(400, acknowledged.Count);
        Assert.All(acknowledged, a => Assert.Equal(a.Value, log.GetValueOrDefault(a.Key, -1)));
    }

    [Fact]
    public async Task The_cli_with_a_client_certificate_works_and_without_one_or_with_a_stranger_cannot_reach_a_gateway()
    {
        var gateway = cluster.Brokers[0].Gateway;
        var (certificate, key) = cluster.ClientCertificate;
        var listed = await CliRunner.RunAsync(gateway, null, "--tls-cert", certificate, "--tls-key", key, "--tls-ca", cluster.Authority.CaPath, "brokers", "list");
        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.Contains("alive", listed.Stdout, StringComparison.Ordinal);

        var without = await CliRunner.RunAsync(gateway, null, "brokers", "list");
        Assert.Equal(3, without.ExitCode);

        using var strangers = new TestCertificates(cluster.Authority.Directory + "-strangers", "CN=Another CA");
        var (strangerCertificate, strangerKey) = strangers.IssueClient("stranger", "CN=stranger");
        var stranger = await CliRunner.RunAsync(gateway, null, "--tls-cert", strangerCertificate, "--tls-key", strangerKey, "--tls-ca", cluster.Authority.CaPath, "brokers", "list");
        Assert.Equal(3, stranger.ExitCode);
    }
}
