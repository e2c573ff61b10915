using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using OrleansLog.Client.Hosting;
using OrleansLog.Security;
using OrleansLog.Testing;

namespace OrleansLog.Web.Tests;

/// <summary>
/// A broker that checks ACLs (a SASL listener turns authorization on, and with it HTTP authentication), with a
/// bootstrap super user the native client signs in as, and two users: alice, whom ACLs allow the "sec-" topics, the
/// "sec-readers" group and a little of the cluster, and bob, whom no ACL names.
/// </summary>
public sealed class SecuredWebFixture : WebBrokerFixture
{
    public const string AdminUser = "web-admin";
    public const string AdminPassword = "web-admin-secret";

    protected override IReadOnlyList<string> BrokerArguments =>
    [
        .. base.BrokerArguments,
        "--OrleansLog:Kafka:Listeners", string.Create(CultureInfo.InvariantCulture, $"SASL_PLAINTEXT://127.0.0.1:{FreePort.Next()}"),
        "--OrleansLog:Authorization:RefreshInterval", "00:00:00.100",
        "--OrleansLog:Bootstrap:User", AdminUser,
        "--OrleansLog:Bootstrap:Password", AdminPassword,
    ];

    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    public static AuthenticationHeaderValue Alice => Basic("alice", "alice-secret");

    public static AuthenticationHeaderValue Bob => Basic("bob", "bob-secret");

    protected override void ConfigureNative(OrleansLogClientOptions options)
    {
        options.UserName = AdminUser;
        options.Password = AdminPassword;
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Native.Admin.SetScramCredentialAsync("alice", "SCRAM-SHA-256", "alice-secret");
        await Native.Admin.SetScramCredentialAsync("bob", "SCRAM-SHA-512", "bob-secret");
        await Native.Admin.CreateAclsAsync(
        [
            Allow(AclOperation.All, AclResourceType.Topic, "sec-", AclPatternType.Prefixed),
            Allow(AclOperation.All, AclResourceType.Group, "sec-readers", AclPatternType.Literal),
            Allow(AclOperation.Describe, AclResourceType.Cluster, AclBinding.ClusterName, AclPatternType.Literal),
            Allow(AclOperation.AlterConfigs, AclResourceType.Cluster, AclBinding.ClusterName, AclPatternType.Literal),
        ]);

        // Applied once alice is served (the broker reads the ACLs every 100 ms).
        await Wait.Until(async () => (await Send(HttpMethod.Get, "/v3/clusters", Alice)).Response.IsSuccessStatusCode, "the broker applies alice's ACLs");
    }

    private static AclBinding Allow(AclOperation operation, AclResourceType type, string name, AclPatternType pattern) =>
        new(type, name, pattern, "User:alice", "*", operation, AclPermissionType.Allow);
}
