using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansLog.Client;
using OrleansLog.Client.Hosting;
using OrleansLog.Security;
using OrleansLog.Testing;
using static OrleansLog.Testing.CliAssert;

namespace OrleansLog.EndToEnd.Tests;

/// <summary>
/// Native clients and the CLI on a broker that checks ACLs (a SASL listener turns them on): a client signs in on the
/// gateway with a user and password or a bearer JWT and its calls run as that principal under the same ACLs as Kafka
/// clients; a client without credentials is User:ANONYMOUS; a wrong password, a forged session or a principal a client
/// names itself gets nothing.
/// </summary>
public sealed class GatewaySignInTests : IAsyncLifetime
{
    private const string Admin = "gw-admin";
    private const string AdminPassword = "gw-admin-secret";

    private readonly TempDirectory _files = new();
    private readonly List<IHost> _clients = [];
    private TestTokenIssuer _issuer = null!;
    private SiloProcess _broker = null!;

    public async Task InitializeAsync()
    {
        _issuer = new TestTokenIssuer(_files.Sub("issuer"));
        _broker = await SiloProcess.StartAsync(_files.Sub("data"), extraArguments:
        [
            "--listeners", string.Create(CultureInfo.InvariantCulture, $"SASL_PLAINTEXT://127.0.0.1:{FreePort.Next()}"),
            "--OrleansLog:Authorization:RefreshInterval", "00:00:00.100",
            "--OrleansLog:Bootstrap:User", Admin,
            "--OrleansLog:Bootstrap:Password", AdminPassword,
            "--OrleansLog:OAuth:Issuer", TestTokenIssuer.DefaultIssuer,
            "--OrleansLog:OAuth:Audience", TestTokenIssuer.DefaultAudience,
            "--OrleansLog:OAuth:JwksUrl", _issuer.JwksUrl,
        ]);
        var admin = await Connect(o => (o.UserName, o.Password) = (Admin, AdminPassword));
        await admin.Admin.SetScramCredentialAsync("alice", "SCRAM-SHA-512", "alice-secret");
        await admin.Admin.CreateTopicAsync("gw-orders", 1);
        await admin.Admin.CreateTopicAsync("gw-payments", 1);
        await admin.Admin.CreateAclsAsync(
        [
            new AclBinding(AclResourceType.Topic, "gw-orders", AclPatternType.Literal, "User:alice", "*", AclOperation.All, AclPermissionType.Allow),
            new AclBinding(AclResourceType.Topic, "gw-orders", AclPatternType.Literal, "User:carol", "*", AclOperation.Read, AclPermissionType.Allow),
        ]);
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.StopAsync();
            client.Dispose();
        }

        await _broker.DisposeAsync();
        _issuer.Dispose();
        _files.Dispose();
    }

    [Fact]
    public async Task A_client_signed_in_with_a_password_does_what_its_acls_allow_and_sees_only_its_topics()
    {
        var alice = await Connect(o => (o.UserName, o.Password) = ("alice", "alice-secret"));
        await Wait.Until(async () => await Produces(alice, "gw-orders"), "the broker applies alice's ACLs");

        var refused = await Assert.ThrowsAsync<OrleansLogException>(() => alice.Admin.DescribeTopicAsync("gw-payments"));
        Assert.Equal(ErrorCode.TopicAuthorizationFailed, refused.Code);
        Assert.Equal(["gw-orders"], (await alice.Admin.ListTopicsAsync()).Select(t => t.Name));
        Assert.Equal(ErrorCode.ClusterAuthorizationFailed, (await Assert.ThrowsAsync<OrleansLogException>(() => alice.Admin.CreateAclsAsync(
            [new AclBinding(AclResourceType.Topic, "*", AclPatternType.Literal, "User:alice", "*", AclOperation.All, AclPermissionType.Allow)]))).Code);

        using var consumer = alice.CreateConsumer<string, string>();
        consumer.Assign([new TopicPartitionOffset("gw-orders", 0, Offsets.Beginning)]);
        Assert.NotNull(consumer.Consume(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_client_signed_in_with_a_bearer_token_runs_as_its_subject()
    {
        var carol = await Connect(o => o.BearerToken = () => Task.FromResult(_issuer.Issue("carol")));
        await Wait.Until(async () => (await carol.Admin.ListTopicsAsync()).Any(t => t.Name == "gw-orders"), "carol, who may read gw-orders, sees it");
        var refused = await Assert.ThrowsAsync<OrleansLogException>(() => carol.Admin.CreateTopicAsync("gw-carols", 1));
        Assert.Equal(ErrorCode.TopicAuthorizationFailed, refused.Code);
        Assert.Contains("User:carol", refused.Message, StringComparison.Ordinal);

        var expired = await Connect(o => o.BearerToken = () => Task.FromResult(_issuer.Issue("carol", DateTimeOffset.UtcNow.AddHours(-2), DateTimeOffset.UtcNow.AddHours(-1))));
        Assert.Equal(ErrorCode.SaslAuthenticationFailed, (await Assert.ThrowsAsync<OrleansLogException>(() => expired.Admin.ListTopicsAsync())).Code);
    }

    [Fact]
    public async Task Anonymous_clients_wrong_passwords_forged_sessions_and_self_named_principals_get_nothing()
    {
        var anonymous = await Connect(_ => { });
        Assert.Empty(await anonymous.Admin.ListTopicsAsync());
        Assert.Equal(ErrorCode.TopicAuthorizationFailed, (await Assert.ThrowsAsync<OrleansLogException>(() => anonymous.Admin.CreateTopicAsync("gw-anon", 1))).Code);

        var wrong = await Connect(o => (o.UserName, o.Password) = ("alice", "not-hers"));
        var refused = await Assert.ThrowsAsync<OrleansLogException>(() => wrong.Admin.ListTopicsAsync());
        Assert.Equal(ErrorCode.SaslAuthenticationFailed, refused.Code);
        Assert.DoesNotContain("alice", refused.Message, StringComparison.Ordinal);

        // A session the cluster did not sign, and a principal named in the request context, are not believed.
        var forged = $"v1.{Convert.ToBase64String("User:gw-admin"u8.ToArray()).TrimEnd('=')}.{DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds()}.AAAA";
        SessionContext.Token = forged;
        try
        {
            Assert.Equal(ErrorCode.SaslAuthenticationFailed, (await Assert.ThrowsAsync<OrleansLogException>(() => anonymous.Admin.ListTopicsAsync())).Code);
        }
        finally
        {
            SessionContext.Token = null;
        }

        RequestContext.Set("orleanslog.principal", $"User:{Admin}");
        try
        {
            Assert.Equal(ErrorCode.TopicAuthorizationFailed, (await Assert.ThrowsAsync<OrleansLogException>(() => anonymous.Admin.CreateTopicAsync("gw-self-named", 1))).Code);
        }
        finally
        {
            RequestContext.Clear();
        }
    }

    [Fact]
    public async Task The_cli_signs_in_with_user_and_password_and_says_so_in_one_line_when_refused()
    {
        Ok(await CliRunner.RunAsAsync(_broker.Gateway, Admin, AdminPassword, null, "topics", "create", "gw-cli", "--partitions", "1"));
        Assert.Contains("gw-cli", Ok(await CliRunner.RunAsAsync(_broker.Gateway, Admin, AdminPassword, null, "topics", "list")).Stdout, StringComparison.Ordinal);

        Error(await CliRunner.RunAsAsync(_broker.Gateway, Admin, "wrong-password", null, "topics", "list"), 1, "SASL_AUTHENTICATION_FAILED");
        Error(await CliRunner.RunAsync(_broker.Gateway, null, "topics", "create", "gw-cli-anon"), 1, "TOPIC_AUTHORIZATION_FAILED");
        Error(await CliRunner.RunAsync(_broker.Gateway, null, "--user", Admin, "topics", "list"), 2, "ORLEANSLOG_PASSWORD");
    }

    private static async Task<bool> Produces(OrleansLogClient client, string topic)
    {
        try
        {
            await using var producer = client.CreateProducer<string, string>();
            await producer.ProduceAsync(topic, new Message<string, string> { Key = "k", Value = "v" });
            return true;
        }
        catch (OrleansLogException e) when (e.Code is ErrorCode.TopicAuthorizationFailed or ErrorCode.ClusterAuthorizationFailed)
        {
            return false;
        }
    }

    private async Task<OrleansLogClient> Connect(Action<OrleansLogClientOptions> credentials)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddOrleansLogClient(options =>
        {
            options.Gateways.Add(_broker.Gateway);
            credentials(options);
        });
        var host = builder.Build();
        await host.StartAsync();
        _clients.Add(host);
        return host.Services.GetRequiredService<OrleansLogClient>();
    }
}
