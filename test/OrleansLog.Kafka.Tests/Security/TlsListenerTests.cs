using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Confluent.Kafka;
using OrleansLog.Security;
using OrleansLog.Testing;

namespace OrleansLog.Kafka.Tests.Security;

/// <summary>
/// A broker with PLAINTEXT, SASL_SSL and SSL listeners and a test CA's certificate: kcat and Confluent.Kafka log in with
/// SCRAM-SHA-512 over TLS and are served as their ACLs allow; a user without WRITE is refused with
/// TOPIC_AUTHORIZATION_FAILED; a wrong password is SASL_AUTHENTICATION_FAILED; a client that does not speak TLS gets
/// nothing; a client certificate names its principal through the mapping rules; a renewed certificate is served
/// without a restart.
/// </summary>
public sealed class TlsListenerTests : IAsyncLifetime
{
    private readonly int _saslSslPort = FreePort.Next();
    private readonly int _sslPort = FreePort.Next();
    private readonly int _plainPort = FreePort.Next();
    private readonly TempDirectory _files = new();
    private TestCertificates _ca = null!;
    private SecuredBroker _secured = null!;

    private string SaslSslBootstrap => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{_saslSslPort}");

    private string SslBootstrap => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{_sslPort}");

    public async Task InitializeAsync()
    {
        _ca = new TestCertificates(_files.Sub("pki"));
        var (certificate, key) = _ca.IssueServer();
        _secured = await SecuredBroker.StartAsync(
        [
            "--listeners",
            string.Create(CultureInfo.InvariantCulture, $"PLAINTEXT://127.0.0.1:{_plainPort},SASL_SSL://127.0.0.1:{_saslSslPort},SSL://127.0.0.1:{_sslPort}"),
            $"--OrleansLog:Tls:CertificatePath={certificate}",
            $"--OrleansLog:Tls:KeyPath={key}",
            $"--OrleansLog:Tls:CaPath={_ca.CaPath}",
            "--OrleansLog:Tls:ClientAuth=Requested",
            "--OrleansLog:Tls:PrincipalMappingRules=RULE:^CN=([^,]+),O=OrleansLog Tests$/$1/L,DEFAULT",
            "--OrleansLog:Tls:ReloadInterval=00:00:00.200",
            "--super-users",
            "User:admin;User:ops",
            "--OrleansLog:Authorization:RefreshInterval=00:00:00.100",
        ]);
        var admin = _secured.Admin;
        await admin.SetScramCredentialAsync("alice", "SCRAM-SHA-512", "alice-secret");
        await admin.SetScramCredentialAsync("bob", "SCRAM-SHA-512", "bob-secret");
        await admin.SetScramCredentialAsync("ops", "SCRAM-SHA-512", "ops-secret");
        await admin.CreateTopicAsync("secure", 1);
        await admin.CreateAclsAsync(
        [
            Allow("User:alice", AclOperation.Write, AclResourceType.Topic, "secure"),
            Allow("User:alice", AclOperation.Read, AclResourceType.Topic, "secure"),
            Allow("User:alice", AclOperation.Read, AclResourceType.Group, "alice-group"),
            Allow("User:bob", AclOperation.Read, AclResourceType.Topic, "secure"),
            Allow("User:carol", AclOperation.Write, AclResourceType.Topic, "secure"),
        ]);

        // The broker reads ACLs changed through the gateway at its next refresh: wait until it has them (WRITE implies DESCRIBE).
        await Wait.Until(
            async () => (await Kcat.RunAsync(SaslSslBootstrap, null, [.. SaslSsl("alice", "alice-secret"), "-L", "-t", "secure"])).Stdout.Contains("topic \"secure\" with 1 partitions", StringComparison.Ordinal),
            "the broker applies the ACLs");
    }

    public async Task DisposeAsync()
    {
        await _secured.DisposeAsync();
        _ca.Dispose();
        _files.Dispose();
    }

    [Fact]
    public async Task Kcat_over_sasl_ssl_with_scram_sha_512_produces_and_consumes_what_its_acls_allow()
    {
        var produced = await Kcat.RunAsync(SaslSslBootstrap, "over-tls\n", [.. SaslSsl("alice", "alice-secret"), "-P", "-t", "secure", "-p", "0"]);
        Assert.True(produced.ExitCode == 0, produced.Stderr);

        var consumed = await Kcat.RunAsync(SaslSslBootstrap, null, [.. SaslSsl("alice", "alice-secret"), "-C", "-t", "secure", "-p", "0", "-o", "beginning", "-e", "-q"]);
        Assert.True(consumed.ExitCode == 0, consumed.Stderr);
        Assert.Contains("over-tls", consumed.Stdout, StringComparison.Ordinal);

        // bob may read but not write.
        var refused = await Kcat.RunAsync(SaslSslBootstrap, "not-bobs\n", [.. SaslSsl("bob", "bob-secret"), "-P", "-t", "secure", "-p", "0", "-X", "message.timeout.ms=5000"]);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("Topic authorization failed", refused.Stderr, StringComparison.Ordinal);

        // ops, the second of --super-users "User:admin;User:ops", needs no ACL.
        var super = await Kcat.RunAsync(SaslSslBootstrap, "from-ops\n", [.. SaslSsl("ops", "ops-secret"), "-P", "-t", "secure", "-p", "0"]);
        Assert.True(super.ExitCode == 0, super.Stderr);
    }

    [Fact]
    public async Task Confluent_kafka_over_sasl_ssl_produces_and_consumes_in_a_group_and_a_user_without_write_is_refused()
    {
        var delivered = await ProduceWith("alice", "alice-secret", "confluent-over-tls");
        Assert.Equal(PersistenceStatus.Persisted, delivered.Status);

        var consumerConfig = new ConsumerConfig(Client("alice", "alice-secret")) { GroupId = "alice-group", AutoOffsetReset = AutoOffsetReset.Earliest, EnableAutoCommit = false };
        using (var consumer = new ConsumerBuilder<Ignore, string>(consumerConfig).Build())
        {
            consumer.Subscribe("secure");
            var seen = false;
            await Wait.Until(
                () =>
                {
                    seen |= consumer.Consume(TimeSpan.FromMilliseconds(500))?.Message.Value == "confluent-over-tls";
                    return Task.FromResult(seen);
                },
                "alice consumes what she produced over TLS");
            consumer.Close();
        }

        var error = await Assert.ThrowsAsync<ProduceException<Null, string>>(() => ProduceWith("bob", "bob-secret", "not-bobs"));
        Assert.Equal(Confluent.Kafka.ErrorCode.TopicAuthorizationFailed, error.Error.Code);
    }

    [Fact]
    public async Task A_wrong_password_over_tls_is_an_authentication_failure()
    {
        var refused = await Kcat.RunAsync(SaslSslBootstrap, null, [.. SaslSsl("alice", "wrong"), "-L", "-m", "5"]);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("Authentication failed", refused.Stderr, StringComparison.Ordinal);

        // librdkafka reports the broker's SASL_AUTHENTICATION_FAILED as its own authentication error, with the broker's message.
        var errors = new System.Collections.Concurrent.ConcurrentQueue<Error>();
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig(Client("alice", "wrong")))
            .SetErrorHandler((_, error) => errors.Enqueue(error))
            .Build();
        producer.Produce(new TopicPartition("secure", 0), new Message<Null, string> { Value = "never" });
        await Wait.Until(() => errors.Any(e => e.Code == Confluent.Kafka.ErrorCode.Local_Authentication), "Confluent.Kafka reports the failed authentication");
        Assert.Contains(errors, e => e.Reason.Contains("Authentication failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_plaintext_client_on_the_tls_port_gets_nothing_and_the_broker_logs_why()
    {
        // An ApiVersions request as a plaintext client sends it first.
        using var socket = new TcpClient();
        await socket.ConnectAsync("127.0.0.1", _saslSslPort);
        var stream = socket.GetStream();
        byte[] apiVersions = [0, 0, 0, 14, 0, 18, 0, 0, 0, 0, 0, 1, 0, 4, (byte)'k', (byte)'c', (byte)'a', (byte)'t'];
        await stream.WriteAsync(apiVersions);
        var answer = new byte[64];
        int read;
        try
        {
            read = await stream.ReadAsync(answer).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (IOException)
        {
            read = 0;
        }

        Assert.Equal(0, read);
        await Wait.Until(() => _secured.Process.Output.Contains("to listener SASL_SSL closed: the TLS handshake failed", StringComparison.Ordinal), "the broker logs the failed handshake");

        // kcat without TLS fails the same way, and the plaintext listener still serves it.
        Assert.NotEqual(0, (await Kcat.RunAsync(SaslSslBootstrap, null, "-L", "-m", "3")).ExitCode);
        var plain = await Kcat.RunAsync(string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{_plainPort}"), null, "-L");
        Assert.True(plain.ExitCode == 0, plain.Stderr);
    }

    [Fact]
    public async Task A_client_certificate_names_its_principal_through_the_mapping_rules()
    {
        var (carolCertificate, carolKey) = _ca.IssueClient("carol", "CN=Carol,O=OrleansLog Tests");
        var produced = await Kcat.RunAsync(SslBootstrap, "from-carol\n", [.. Ssl(carolCertificate, carolKey), "-P", "-t", "secure", "-p", "0"]);
        Assert.True(produced.ExitCode == 0, produced.Stderr);

        // Without a certificate the client is User:ANONYMOUS, whom no ACL allows to write.
        var anonymous = await Kcat.RunAsync(SslBootstrap, "anonymous\n", [.. Ssl(null, null), "-P", "-t", "secure", "-p", "0", "-X", "message.timeout.ms=5000"]);
        Assert.NotEqual(0, anonymous.ExitCode);
        Assert.Contains("Topic authorization failed", anonymous.Stderr, StringComparison.Ordinal);

        // A certificate from another authority is refused at the handshake.
        using var strangers = new TestCertificates(_files.Sub("strangers"), "CN=Another CA");
        var (mallory, malloryKey) = strangers.IssueClient("mallory", "CN=Carol,O=OrleansLog Tests");
        var refused = await Kcat.RunAsync(SslBootstrap, "forged\n", [.. Ssl(mallory, malloryKey), "-P", "-t", "secure", "-p", "0", "-X", "message.timeout.ms=5000"]);
        Assert.NotEqual(0, refused.ExitCode);
        await Wait.Until(() => _secured.Process.Output.Contains("to listener SSL closed: the TLS handshake failed", StringComparison.Ordinal), "the refused certificate is logged");
    }

    [Fact]
    public async Task A_renewed_certificate_is_served_to_new_connections_without_a_restart()
    {
        var before = await ServedSerial();
        var (renewed, _) = _ca.IssueServer();
        var expected = TestCertificates.SerialOf(renewed);
        Assert.NotEqual(before, expected);

        await Wait.Until(async () => await ServedSerial() == expected, "the broker serves the renewed certificate");
        var listed = await Kcat.RunAsync(SaslSslBootstrap, null, [.. SaslSsl("alice", "alice-secret"), "-L", "-t", "secure"]);
        Assert.True(listed.ExitCode == 0, listed.Stderr);
        Assert.Contains("TLS certificate reloaded", _secured.Process.Output, StringComparison.Ordinal);
    }

    private async Task<string> ServedSerial()
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync("127.0.0.1", _saslSslPort);
        await using var tls = new SslStream(socket.GetStream(), leaveInnerStreamOpen: false);
        using var authority = X509Certificate2.CreateFromPem(File.ReadAllText(_ca.CaPath));
        var trust = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        trust.CustomTrustStore.Add(authority);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "127.0.0.1", CertificateChainPolicy = trust });
        return new X509Certificate2(tls.RemoteCertificate!).SerialNumber;
    }

    private async Task<DeliveryResult<Null, string>> ProduceWith(string user, string password, string value)
    {
        var config = new ProducerConfig(Client(user, password)) { MessageTimeoutMs = 10_000 };
        using var producer = new ProducerBuilder<Null, string>(config).Build();
        return await producer.ProduceAsync(new TopicPartition("secure", 0), new Message<Null, string> { Value = value });
    }

    private ClientConfig Client(string user, string password) => new()
    {
        BootstrapServers = SaslSslBootstrap,
        SecurityProtocol = SecurityProtocol.SaslSsl,
        SaslMechanism = SaslMechanism.ScramSha512,
        SaslUsername = user,
        SaslPassword = password,
        SslCaLocation = _ca.CaPath,
    };

    private string[] SaslSsl(string user, string password) =>
        ["-X", "security.protocol=SASL_SSL", "-X", $"ssl.ca.location={_ca.CaPath}", "-X", "sasl.mechanisms=SCRAM-SHA-512", "-X", $"sasl.username={user}", "-X", $"sasl.password={password}"];

    private string[] Ssl(string? certificate, string? key) =>
        certificate is null
            ? ["-X", "security.protocol=SSL", "-X", $"ssl.ca.location={_ca.CaPath}"]
            : ["-X", "security.protocol=SSL", "-X", $"ssl.ca.location={_ca.CaPath}", "-X", $"ssl.certificate.location={certificate}", "-X", $"ssl.key.location={key}"];

    private static AclBinding Allow(string principal, AclOperation operation, AclResourceType type, string name) =>
        new(type, name, AclPatternType.Literal, principal, AclBinding.Wildcard, operation, AclPermissionType.Allow);
}
