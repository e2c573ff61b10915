using System.Buffers.Binary;
using System.Globalization;
using Confluent.Kafka;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Testing;

namespace OrleansLog.Kafka.Tests.Security;

/// <summary>
/// A broker with a PLAINTEXT and a SASL_PLAINTEXT listener, and users set through the admin client: kcat and
/// Confluent.Kafka log in with SCRAM-SHA-256, SCRAM-SHA-512 and PLAIN and are served; a wrong password, an unknown user,
/// a mechanism not enabled and a request before authentication are refused, and the broker keeps serving.
/// </summary>
public sealed class SaslListenerTests : IAsyncLifetime
{
    private readonly int _saslPort = FreePort.Next();
    private readonly int _plainPort = FreePort.Next();
    private SecuredBroker _secured = null!;

    private string SaslBootstrap => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{_saslPort}");

    public async Task InitializeAsync()
    {
        _secured = await SecuredBroker.StartAsync(
        [
            string.Create(CultureInfo.InvariantCulture, $"--OrleansLog:Kafka:Listeners=PLAINTEXT://127.0.0.1:{_plainPort},SASL_PLAINTEXT://127.0.0.1:{_saslPort}"),
            "--OrleansLog:Kafka:Sasl:Mechanisms:0=SCRAM-SHA-256",
            "--OrleansLog:Kafka:Sasl:Mechanisms:1=SCRAM-SHA-512",
            "--OrleansLog:Kafka:Sasl:Mechanisms:2=PLAIN",

            // Authentication is under test here, not ACLs (AclTests): both users may do anything.
            "--OrleansLog:Authorization:SuperUsers:0=User:alice",
            "--OrleansLog:Authorization:SuperUsers:1=User:bob",
        ]);
        var admin = _secured.Admin;
        await admin.SetScramCredentialAsync("alice", "SCRAM-SHA-256", "alice-secret");
        await admin.SetScramCredentialAsync("bob", "SCRAM-SHA-512", "bob-secret", iterations: 8192);
        await admin.CreateTopicAsync("sasl", 1);
    }

    public async Task DisposeAsync() => await _secured.DisposeAsync();

    [Theory]
    [InlineData("SCRAM-SHA-256", "alice", "alice-secret")]
    [InlineData("SCRAM-SHA-512", "bob", "bob-secret")]
    [InlineData("PLAIN", "alice", "alice-secret")]
    public async Task Kcat_logs_in_with_each_mechanism_and_produces_and_consumes(string mechanism, string user, string password)
    {
        var sasl = Sasl(mechanism, user, password);
        var value = $"via-{mechanism}";
        var produced = await Kcat.RunAsync(SaslBootstrap, value + "\n", [.. sasl, "-P", "-t", "sasl", "-p", "0"]);
        Assert.True(produced.ExitCode == 0, produced.Stderr);

        var consumed = await Kcat.RunAsync(SaslBootstrap, null, [.. sasl, "-C", "-t", "sasl", "-p", "0", "-o", "beginning", "-e", "-q"]);
        Assert.True(consumed.ExitCode == 0, consumed.Stderr);
        Assert.Contains(value, consumed.Stdout, StringComparison.Ordinal);
        Assert.Contains($"authenticated as User:{user} ({mechanism})", _secured.Process.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SCRAM-SHA-256", "alice", "wrong")]
    [InlineData("SCRAM-SHA-256", "mallory", "anything")]
    [InlineData("SCRAM-SHA-512", "alice", "alice-secret")]
    [InlineData("PLAIN", "alice", "wrong")]
    public async Task A_wrong_password_an_unknown_user_or_a_mechanism_without_a_credential_is_refused(string mechanism, string user, string password)
    {
        var refused = await Kcat.RunAsync(SaslBootstrap, null, [.. Sasl(mechanism, user, password), "-L", "-m", "5"]);

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("Authentication failed", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains($"failed SASL authentication ({mechanism})", _secured.Process.Output, StringComparison.Ordinal);

        // The broker goes on serving the users who know their passwords.
        var listed = await Kcat.RunAsync(SaslBootstrap, null, [.. Sasl("SCRAM-SHA-256", "alice", "alice-secret"), "-L", "-t", "sasl"]);
        Assert.True(listed.ExitCode == 0, listed.Stderr);
    }

    [Fact]
    public async Task Confluent_kafka_produces_over_scram_and_is_told_the_sasl_listener_of_every_broker()
    {
        var config = new ProducerConfig
        {
            BootstrapServers = SaslBootstrap,
            SecurityProtocol = SecurityProtocol.SaslPlaintext,
            SaslMechanism = SaslMechanism.ScramSha256,
            SaslUsername = "alice",
            SaslPassword = "alice-secret",
        };
        using var producer = new ProducerBuilder<Null, string>(config).Build();
        var delivered = await producer.ProduceAsync(new TopicPartition("sasl", 0), new Confluent.Kafka.Message<Null, string> { Value = "confluent" });
        Assert.Equal(PersistenceStatus.Persisted, delivered.Status);

        using var admin = new AdminClientBuilder(new AdminClientConfig(config)).Build();
        var broker = Assert.Single(admin.GetMetadata(TimeSpan.FromSeconds(10)).Brokers);
        Assert.Equal(_saslPort, broker.Port);
    }

    [Fact]
    public async Task A_request_before_authentication_closes_the_connection_and_plaintext_clients_are_not_asked_to_log_in()
    {
        // kcat without SASL on the SASL listener: its Metadata request comes first and the broker closes the connection.
        var unauthenticated = await Kcat.RunAsync(SaslBootstrap, null, "-L", "-m", "5");
        Assert.NotEqual(0, unauthenticated.ExitCode);
        await Wait.Until(() => _secured.Process.Output.Contains("came before SASL authentication on listener SASL_PLAINTEXT", StringComparison.Ordinal), "the refusal is logged");

        var plainBootstrap = string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{_plainPort}");
        var plaintext = await Kcat.RunAsync(plainBootstrap, null, "-L", "-t", "sasl");
        Assert.True(plaintext.ExitCode == 0, plaintext.Stderr);
        Assert.Contains(plainBootstrap, plaintext.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SaslAuthenticate_v2_the_flexible_version_logs_in_and_the_connection_is_then_served()
    {
        using var connection = await RawKafkaConnection.OpenAsync(_saslPort);
        await connection.SendAsync(RawKafkaConnection.Frame(ApiKey.SaslHandshake, 1, 1, w => w.WriteString("PLAIN", flexible: false)));
        var handshake = await connection.ReceiveAsync(TimeSpan.FromSeconds(10)) ?? throw new InvalidOperationException("no SaslHandshake response");
        Assert.Equal(0, BinaryPrimitives.ReadInt16BigEndian(handshake.AsSpan(4)));

        await connection.SendAsync(RawKafkaConnection.Frame(ApiKey.SaslAuthenticate, 2, 2, w =>
        {
            w.WriteBytes("\0alice\0alice-secret"u8, flexible: true);
            w.WriteEmptyTaggedFields(true);
        }, flexible: true));
        var answer = await connection.ReceiveAsync(TimeSpan.FromSeconds(10)) ?? throw new InvalidOperationException("no SaslAuthenticate response");
        var reader = new KafkaReader(answer.AsSpan(4));
        reader.SkipTaggedFields(true);
        Assert.Equal((short)ErrorCode.None, reader.ReadInt16());
        Assert.Null(reader.ReadNullableString(flexible: true));
        Assert.Equal(0, reader.ReadBytes(flexible: true).Length);
        Assert.Equal(0, reader.ReadInt64());

        // Authenticated: a Metadata request is answered, not refused.
        await connection.SendAsync(RawKafkaConnection.Frame(ApiKey.Metadata, 1, 3, w => w.WriteInt32(0)));
        var metadata = await connection.ReceiveAsync(TimeSpan.FromSeconds(10)) ?? throw new InvalidOperationException("no Metadata response");
        Assert.Equal(3, BinaryPrimitives.ReadInt32BigEndian(metadata));
    }

    private static string[] Sasl(string mechanism, string user, string password) =>
        ["-X", "security.protocol=SASL_PLAINTEXT", "-X", $"sasl.mechanisms={mechanism}", "-X", $"sasl.username={user}", "-X", $"sasl.password={password}"];
}
