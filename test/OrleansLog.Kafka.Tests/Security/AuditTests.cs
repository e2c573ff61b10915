using System.Globalization;
using Confluent.Kafka;
using CreateTopicsException = Confluent.Kafka.Admin.CreateTopicsException;
using TopicSpecification = Confluent.Kafka.Admin.TopicSpecification;
using OrleansLog.Security;
using OrleansLog.Testing;

namespace OrleansLog.Kafka.Tests.Security;

/// <summary>
/// The audit trail on a SASL broker that also appends it to a topic: a failed login, a denied request and admin changes
/// are each one structured line naming principal, client address, resource and outcome, and one JSON record on the
/// audit topic; /metrics counts failed authentications and denials.
/// </summary>
public sealed class AuditTests : IAsyncLifetime
{
    private readonly int _saslPort = FreePort.Next();
    private SecuredBroker _secured = null!;

    private string Bootstrap => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{_saslPort}");

    public async Task InitializeAsync()
    {
        _secured = await SecuredBroker.StartAsync(
        [
            "--listeners", $"SASL_PLAINTEXT://{Bootstrap}",
            "--super-users", "User:root",
            "--OrleansLog:Audit:Topic=_audit",
            "--OrleansLog:Authorization:RefreshInterval=00:00:00.100",
        ]);
        await _secured.Admin.SetScramCredentialAsync("alice", "SCRAM-SHA-256", "alice-secret");
        await _secured.Admin.SetScramCredentialAsync("root", "SCRAM-SHA-256", "root-secret");
        await _secured.Admin.CreateAclsAsync([new AclBinding(AclResourceType.Cluster, AclBinding.ClusterName, AclPatternType.Literal, "User:alice", "*", AclOperation.Create, AclPermissionType.Allow)]);
    }

    public async Task DisposeAsync() => await _secured.DisposeAsync();

    [Fact]
    public async Task Failed_logins_denials_and_admin_changes_are_audited_in_the_log_on_the_topic_and_in_metrics()
    {
        // A wrong password.
        Assert.NotEqual(0, (await Kcat.RunAsync(Bootstrap, null, [.. Sasl("alice", "wrong"), "-L", "-m", "5"])).ExitCode);

        // An admin change by alice, who may create topics, through Kafka's CreateTopics.
        // The broker applies the ACL made through the gateway at its next refresh, so the first attempt may be refused.
        using (var admin = new AdminClientBuilder(new AdminClientConfig(Client("alice", "alice-secret"))).Build())
        {
            await Wait.Until(
                async () =>
                {
                    try
                    {
                        await admin.CreateTopicsAsync([new TopicSpecification { Name = "audited", NumPartitions = 1, ReplicationFactor = 1 }]);
                        return true;
                    }
                    catch (CreateTopicsException e) when (e.Results[0].Error.Code == Confluent.Kafka.ErrorCode.TopicAuthorizationFailed)
                    {
                        return false;
                    }
                },
                "alice creates a topic");
        }

        // A denial: alice may not write to it, nor (since WRITE would imply it) see it in Metadata.
        Assert.NotEqual(0, (await Kcat.RunAsync(Bootstrap, "x\n", [.. Sasl("alice", "alice-secret"), "-P", "-t", "audited", "-p", "0", "-X", "message.timeout.ms=5000"])).ExitCode);

        var log = _secured.Process.Output;
        Assert.Matches(@"Audit: Authenticate by User:alice from 127\.0\.0\.1:\d+ on Listener:SASL_PLAINTEXT: failed", log);
        Assert.Contains("Audit: CreateTopic by User:alice from 127.0.0.1 on Topic:audited: succeeded", log, StringComparison.Ordinal);
        Assert.Contains("Audit: Describe by User:alice from 127.0.0.1 on Topic:audited: denied", log, StringComparison.Ordinal);
        // The native admin client signed in as the bootstrap user: its changes carry that principal.
        Assert.Contains($"Audit: CreateAcls by User:{SecuredBroker.AdminUser} from gateway on Cluster:kafka-cluster: succeeded", log, StringComparison.Ordinal);

        // The same events, as JSON records on the audit topic (read by a super user).
        await Wait.Until(
            async () =>
            {
                var records = (await Kcat.RunAsync(Bootstrap, null, [.. Sasl("root", "root-secret"), "-C", "-t", "_audit", "-p", "0", "-o", "beginning", "-e", "-q"])).Stdout;
                return records.Contains("\"action\":\"Describe\",\"principal\":\"User:alice\",\"clientAddress\":\"127.0.0.1\",\"resource\":\"Topic:audited\",\"outcome\":\"denied\"", StringComparison.Ordinal)
                    && records.Contains("\"action\":\"CreateTopic\"", StringComparison.Ordinal)
                    && records.Contains("\"action\":\"Authenticate\"", StringComparison.Ordinal);
            },
            "the audit topic holds the events");

        // With ACLs on, /metrics asks for credentials too (OrleansLog:Web:Security:OpenMetrics is off).
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_secured.Process.HttpPort}") };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{SecuredBroker.AdminUser}:{SecuredBroker.AdminPassword}")));
        await Wait.Until(
            async () =>
            {
                var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
                return System.Text.RegularExpressions.Regex.IsMatch(metrics, "orleanslog_security_authentication_failures_total\\{[^}]*listener=\"SASL_PLAINTEXT\"[^}]*\\} [1-9]")
                    && System.Text.RegularExpressions.Regex.IsMatch(metrics, "orleanslog_security_authorization_denials_total\\{[^}]*resource_type=\"Topic\"[^}]*\\} [1-9]");
            },
            "/metrics counts failed logins and denials");
    }

    private ClientConfig Client(string user, string password) => new()
    {
        BootstrapServers = Bootstrap,
        SecurityProtocol = SecurityProtocol.SaslPlaintext,
        SaslMechanism = SaslMechanism.ScramSha256,
        SaslUsername = user,
        SaslPassword = password,
    };

    private static string[] Sasl(string user, string password) =>
        ["-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanisms=SCRAM-SHA-256", "-X", $"sasl.username={user}", "-X", $"sasl.password={password}"];
}
