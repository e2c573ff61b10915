using System.Globalization;
using OrleansLog.Security;
using OrleansLog.Testing;

namespace OrleansLog.Kafka.Tests.Security;

/// <summary>
/// ACLs on a broker whose Kafka listener uses SASL (so authorization is on, and nothing is open by default): kcat as
/// different users is refused with Kafka's authorization errors until ACLs allow it, a DENY wins over an ALLOW,
/// Metadata shows only topics the user may describe, a consumer group needs READ on the group, and a super user passes.
/// </summary>
public sealed class AclTests : IAsyncLifetime
{
    private readonly int _saslPort = FreePort.Next();
    private SecuredBroker _secured = null!;

    private string Bootstrap => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{_saslPort}");

    public async Task InitializeAsync()
    {
        _secured = await SecuredBroker.StartAsync(
        [
            string.Create(CultureInfo.InvariantCulture, $"--OrleansLog:Kafka:Listeners=SASL_PLAINTEXT://127.0.0.1:{_saslPort}"),
            "--OrleansLog:Authorization:SuperUsers:0=User:root",
            "--OrleansLog:Authorization:RefreshInterval=00:00:00.100",
        ]);
        foreach (var user in new[] { "alice", "bob", "root" })
        {
            await _secured.Admin.SetScramCredentialAsync(user, "SCRAM-SHA-256", user + "-secret");
        }

        await _secured.Admin.CreateTopicAsync("orders", 1);
        await _secured.Admin.CreateTopicAsync("orders-secret", 1);
        await _secured.Admin.CreateTopicAsync("payments", 1);
    }

    public async Task DisposeAsync() => await _secured.DisposeAsync();

    [Fact]
    public async Task Nothing_is_open_until_an_acl_allows_it_and_then_only_what_it_allows()
    {
        var refused = await Produce("alice", "orders", "before");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("authorization failed", refused.Stderr, StringComparison.OrdinalIgnoreCase);

        await _secured.Admin.CreateAclsAsync([Allow("User:alice", AclOperation.Write, AclResourceType.Topic, "orders")]);
        await Wait.Until(async () => (await Produce("alice", "orders", "after")).ExitCode == 0, "alice may write to orders");

        // Writing is all she may do: not to another topic, and not read.
        Assert.NotEqual(0, (await Produce("alice", "payments", "no")).ExitCode);
        var read = await Consume("alice", "orders");
        Assert.DoesNotContain("after", read.Stdout, StringComparison.Ordinal);
        Assert.Contains("authorization failed", read.Stderr, StringComparison.OrdinalIgnoreCase);

        // A super user passes every check.
        Assert.Contains("after", (await Consume("root", "orders")).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deny_wins_over_an_allow_and_metadata_lists_only_what_the_user_may_describe()
    {
        await _secured.Admin.CreateAclsAsync(
        [
            Allow("User:bob", AclOperation.Read, AclResourceType.Topic, "orders", AclPatternType.Prefixed),
            new AclBinding(AclResourceType.Topic, "orders-secret", AclPatternType.Literal, "User:bob", "*", AclOperation.Read, AclPermissionType.Deny),
        ]);
        Assert.Equal(0, (await Produce("root", "orders-secret", "hidden")).ExitCode);
        Assert.Equal(0, (await Produce("root", "orders", "visible")).ExitCode);

        await Wait.Until(async () => (await Consume("bob", "orders")).Stdout.Contains("visible", StringComparison.Ordinal), "bob may read orders");
        var secret = await Consume("bob", "orders-secret");
        Assert.DoesNotContain("hidden", secret.Stdout, StringComparison.Ordinal);

        var listed = await Kcat.RunAsync(Bootstrap, null, [.. Sasl("bob"), "-L"]);
        Assert.True(listed.ExitCode == 0, listed.Stderr);
        Assert.Contains("topic \"orders\"", listed.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("topic \"payments\"", listed.Stdout, StringComparison.Ordinal);

        // Denying READ does not deny DESCRIBE, which the prefixed READ implies (Kafka's rule).
        Assert.Contains("topic \"orders-secret\"", listed.Stdout, StringComparison.Ordinal);

        // The ACLs can be read back and deleted by filter.
        var bobs = await _secured.Admin.DescribeAclsAsync(new AclFilter(AclResourceType.Any, null, AclPatternType.Any, "User:bob", null, AclOperation.Any, AclPermissionType.Any));
        Assert.Equal(2, bobs.Count);
        Assert.Equal(2, (await _secured.Admin.DeleteAclsAsync(new AclFilter(AclResourceType.Topic, "orders-secret", AclPatternType.Match, "User:bob", null, AclOperation.Any, AclPermissionType.Any))).Count);
    }

    [Fact]
    public async Task A_consumer_group_needs_read_on_the_group_as_well_as_the_topic()
    {
        await _secured.Admin.CreateAclsAsync([Allow("User:carol", AclOperation.Read, AclResourceType.Topic, "payments")]);
        await _secured.Admin.SetScramCredentialAsync("carol", "SCRAM-SHA-256", "carol-secret");
        Assert.Equal(0, (await Produce("root", "payments", "paid")).ExitCode);

        var refused = await Kcat.RunAsync(Bootstrap, null, [.. Sasl("carol"), "-G", "billing", "-o", "beginning", "-e", "-c", "1", "payments"]);
        Assert.DoesNotContain("paid", refused.Stdout, StringComparison.Ordinal);
        Assert.True(refused.Stderr.Contains("not authorized to describe group \"billing\"", StringComparison.Ordinal), refused.Stderr);

        await _secured.Admin.CreateAclsAsync([Allow("User:carol", AclOperation.Read, AclResourceType.Group, "billing")]);
        await Wait.Until(
            async () => (await Kcat.RunAsync(Bootstrap, null, [.. Sasl("carol"), "-G", "billing", "-o", "beginning", "-e", "-c", "1", "payments"])).Stdout.Contains("paid", StringComparison.Ordinal),
            "carol reads payments in group billing");
    }

    [Fact]
    public async Task An_acl_that_kafka_would_refuse_is_refused()
    {
        var error = await Assert.ThrowsAsync<OrleansLogException>(() => _secured.Admin.CreateAclsAsync([Allow("User:alice", AclOperation.Read, AclResourceType.Cluster, "other")]));
        Assert.Equal(ErrorCode.InvalidRequest, error.Code);
        await Assert.ThrowsAsync<OrleansLogException>(() => _secured.Admin.CreateAclsAsync([Allow("alice", AclOperation.Read, AclResourceType.Topic, "orders")]));
        await Assert.ThrowsAsync<OrleansLogException>(() => _secured.Admin.CreateAclsAsync([Allow("User:alice", AclOperation.Any, AclResourceType.Topic, "orders")]));
        await Assert.ThrowsAsync<OrleansLogException>(() => _secured.Admin.CreateAclsAsync([Allow("User:alice", AclOperation.Read, AclResourceType.Topic, "*", AclPatternType.Prefixed)]));
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> Produce(string user, string topic, string value) =>
        Kcat.RunAsync(Bootstrap, value + "\n", [.. Sasl(user), "-P", "-t", topic, "-p", "0", "-X", "message.timeout.ms=5000"]);

    private Task<(int ExitCode, string Stdout, string Stderr)> Consume(string user, string topic) =>
        Kcat.RunAsync(Bootstrap, null, [.. Sasl(user), "-C", "-t", topic, "-p", "0", "-o", "beginning", "-e", "-q"]);

    private static AclBinding Allow(string principal, AclOperation operation, AclResourceType type, string name, AclPatternType pattern = AclPatternType.Literal) =>
        new(type, name, pattern, principal, AclBinding.Wildcard, operation, AclPermissionType.Allow);

    private static string[] Sasl(string user) =>
        ["-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanisms=SCRAM-SHA-256", "-X", $"sasl.username={user}", "-X", $"sasl.password={user}-secret"];
}
