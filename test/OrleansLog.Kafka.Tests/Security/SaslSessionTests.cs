using System.Globalization;
using Confluent.Kafka;
using OrleansLog.Testing;

namespace OrleansLog.Kafka.Tests.Security;

/// <summary>
/// KIP-368 session lifetimes (<c>connections.max.reauth.ms</c>): Confluent.Kafka, told the lifetime, authenticates again
/// on the same connection and goes on producing; Debian's kcat (librdkafka 2.0, which does not re-authenticate) is
/// disconnected at its first request after the session ended.
/// </summary>
public sealed class SaslSessionTests : IAsyncLifetime
{
    private readonly int _saslPort = FreePort.Next();
    private SecuredBroker _secured = null!;

    private string Bootstrap => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{_saslPort}");

    public async Task InitializeAsync()
    {
        _secured = await SecuredBroker.StartAsync(
        [
            "--listeners", $"SASL_PLAINTEXT://{Bootstrap}",
            "--super-users", "User:alice",
            "--OrleansLog:Kafka:Sasl:MaxReauth=00:00:01",
        ]);
        await _secured.Admin.SetScramCredentialAsync("alice", "SCRAM-SHA-256", "alice-secret");
        await _secured.Admin.CreateTopicAsync("sessions", 1);
    }

    public async Task DisposeAsync() => await _secured.DisposeAsync();

    [Fact]
    public async Task Confluent_kafka_re_authenticates_on_the_same_connection_before_its_session_ends()
    {
        var config = new ProducerConfig
        {
            BootstrapServers = Bootstrap,
            SecurityProtocol = SecurityProtocol.SaslPlaintext,
            SaslMechanism = SaslMechanism.ScramSha256,
            SaslUsername = "alice",
            SaslPassword = "alice-secret",
        };
        using var producer = new ProducerBuilder<Null, string>(config).Build();
        Assert.Equal(PersistenceStatus.Persisted, (await producer.ProduceAsync(new TopicPartition("sessions", 0), new Message<Null, string> { Value = "before" })).Status);

        await Wait.Until(() => _secured.Process.Output.Contains("re-authenticated as User:alice (SCRAM-SHA-256)", StringComparison.Ordinal), "the client authenticates again");
        Assert.Equal(PersistenceStatus.Persisted, (await producer.ProduceAsync(new TopicPartition("sessions", 0), new Message<Null, string> { Value = "after" })).Status);
    }

    [Fact]
    public async Task A_client_that_does_not_re_authenticate_is_disconnected_at_its_first_request_after_the_session()
    {
        var produced = await Kcat.RunAsync(Bootstrap, "kept\n", [.. Sasl(), "-P", "-t", "sessions", "-p", "0"]);
        Assert.True(produced.ExitCode == 0, produced.Stderr);

        // A consumer that runs until stopped: it reads the record, then its next fetch after the session's end closes the
        // connection, and kcat, which treats every broker being down as the end, stops.
        var consumer = await Kcat.RunAsync(Bootstrap, null, [.. Sasl(), "-C", "-t", "sessions", "-p", "0", "-o", "beginning"]);
        Assert.Contains("kept", consumer.Stdout, StringComparison.Ordinal);
        Assert.Contains("Disconnected", consumer.Stderr, StringComparison.Ordinal);
        Assert.Contains("the SASL session of User:alice on listener SASL_PLAINTEXT expired", _secured.Process.Output, StringComparison.Ordinal);
    }

    private static string[] Sasl() =>
        ["-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanisms=SCRAM-SHA-256", "-X", "sasl.username=alice", "-X", "sasl.password=alice-secret"];
}
