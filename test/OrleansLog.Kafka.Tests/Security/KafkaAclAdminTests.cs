using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using OrleansLog.Testing;
using KafkaErrorCode = Confluent.Kafka.ErrorCode;

namespace OrleansLog.Kafka.Tests.Security;

/// <summary>
/// Confluent.Kafka's admin client manages ACLs through CreateAcls, DescribeAcls and DeleteAcls: a super user creates,
/// lists and deletes them (the broker applies them at once), and a user without ALTER on the cluster is refused. It
/// manages SCRAM users through AlterUserScramCredentials and DescribeUserScramCredentials the same way.
/// </summary>
public sealed class KafkaAclAdminTests : IAsyncLifetime
{
    private readonly int _saslPort = FreePort.Next();
    private SecuredBroker _secured = null!;

    public async Task InitializeAsync()
    {
        _secured = await SecuredBroker.StartAsync(
        [
            string.Create(CultureInfo.InvariantCulture, $"--OrleansLog:Kafka:Listeners=SASL_PLAINTEXT://127.0.0.1:{_saslPort}"),
            "--OrleansLog:Authorization:SuperUsers:0=User:root",
        ]);
        await _secured.Admin.SetScramCredentialAsync("root", "SCRAM-SHA-256", "root-secret");
        await _secured.Admin.SetScramCredentialAsync("alice", "SCRAM-SHA-256", "alice-secret");
        await _secured.Admin.CreateTopicAsync("payments", 1);
    }

    public async Task DisposeAsync() => await _secured.DisposeAsync();

    [Fact]
    public async Task A_super_user_creates_lists_and_deletes_acls_and_others_may_not()
    {
        var allowAlice = new AclBinding
        {
            Pattern = new ResourcePattern { Type = ResourceType.Topic, Name = "payments", ResourcePatternType = ResourcePatternType.Literal },
            Entry = new AccessControlEntry { Principal = "User:alice", Host = "*", Operation = AclOperation.Write, PermissionType = AclPermissionType.Allow },
        };
        using var root = new AdminClientBuilder(Config("root")).Build();
        await root.CreateAclsAsync([allowAlice]);

        var every = new AclBindingFilter
        {
            PatternFilter = new ResourcePatternFilter { Type = ResourceType.Any, ResourcePatternType = ResourcePatternType.Any },
            EntryFilter = new AccessControlEntryFilter { Operation = AclOperation.Any, PermissionType = AclPermissionType.Any },
        };
        var described = await root.DescribeAclsAsync(every);
        var listed = Assert.Single(described.AclBindings);
        Assert.Equal(("payments", "User:alice", AclOperation.Write), (listed.Pattern.Name, listed.Entry.Principal, listed.Entry.Operation));

        // Applied at once on this broker: alice may write.
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig(Config("alice"))).Build())
        {
            var delivered = await producer.ProduceAsync(new TopicPartition("payments", 0), new Message<Null, string> { Value = "paid" });
            Assert.Equal(PersistenceStatus.Persisted, delivered.Status);
        }

        using var alice = new AdminClientBuilder(Config("alice")).Build();
        var refused = await Assert.ThrowsAsync<CreateAclsException>(() => alice.CreateAclsAsync([allowAlice]));
        Assert.Equal(KafkaErrorCode.ClusterAuthorizationFailed, refused.Results[0].Error.Code);

        var deleted = await root.DeleteAclsAsync([every]);
        Assert.Single(Assert.Single(deleted).AclBindings);
        Assert.Empty((await root.DescribeAclsAsync(every)).AclBindings);
    }

    [Fact]
    public async Task A_super_user_sets_describes_and_deletes_scram_users_and_others_may_not()
    {
        using var root = new AdminClientBuilder(Config("root")).Build();
        await root.AlterUserScramCredentialsAsync(
        [
            new UserScramCredentialUpsertion { User = "dave", ScramCredentialInfo = new ScramCredentialInfo { Mechanism = ScramMechanism.ScramSha512, Iterations = 8192 }, Password = "dave-secret"u8.ToArray() },
        ]);

        var described = Assert.Single((await root.DescribeUserScramCredentialsAsync(["dave"])).UserScramCredentialsDescriptions);
        var info = Assert.Single(described.ScramCredentialInfos);
        Assert.Equal((ScramMechanism.ScramSha512, 8192), (info.Mechanism, info.Iterations));

        // dave logs in with the password the admin client salted.
        var listed = await Kcat.RunAsync(string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{_saslPort}"), null, "-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanisms=SCRAM-SHA-512", "-X", "sasl.username=dave", "-X", "sasl.password=dave-secret", "-L");
        Assert.True(listed.ExitCode == 0, listed.Stderr);

        using var alice = new AdminClientBuilder(Config("alice")).Build();
        var refused = await Assert.ThrowsAsync<AlterUserScramCredentialsException>(() => alice.AlterUserScramCredentialsAsync([new UserScramCredentialDeletion { User = "dave", Mechanism = ScramMechanism.ScramSha512 }]));
        Assert.Equal(KafkaErrorCode.ClusterAuthorizationFailed, Assert.Single(refused.Results).Error.Code);

        await root.AlterUserScramCredentialsAsync([new UserScramCredentialDeletion { User = "dave", Mechanism = ScramMechanism.ScramSha512 }]);
        var gone = await Assert.ThrowsAsync<DescribeUserScramCredentialsException>(() => root.DescribeUserScramCredentialsAsync(["dave"]));
        Assert.Equal(KafkaErrorCode.ResourceNotFound, Assert.Single(gone.Results.UserScramCredentialsDescriptions).Error.Code);

        var again = await Assert.ThrowsAsync<AlterUserScramCredentialsException>(() => root.AlterUserScramCredentialsAsync([new UserScramCredentialDeletion { User = "dave", Mechanism = ScramMechanism.ScramSha512 }]));
        Assert.Equal(KafkaErrorCode.ResourceNotFound, Assert.Single(again.Results).Error.Code);
    }

    private AdminClientConfig Config(string user) => new()
    {
        BootstrapServers = string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{_saslPort}"),
        SecurityProtocol = SecurityProtocol.SaslPlaintext,
        SaslMechanism = SaslMechanism.ScramSha256,
        SaslUsername = user,
        SaslPassword = user + "-secret",
    };
}
