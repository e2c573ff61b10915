using OrleansLog.Security;
using OrleansLog.Server.Security;

namespace OrleansLog.Server.Tests.Security;

/// <summary>Kafka's authorization rules, one at a time.</summary>
public class AclAuthorizerTests
{
    private static readonly HashSet<string> NoSuperUsers = [];

    [Fact]
    public void An_allow_permits_its_operation_and_what_it_implies_and_nothing_else()
    {
        var authorizer = new AclAuthorizer([Allow("User:alice", AclOperation.Write, AclResourceType.Topic, "orders")], NoSuperUsers, allowEveryoneIfNoAclFound: false);

        Assert.True(authorizer.Authorize("User:alice", "10.0.0.1", AclOperation.Write, AclResourceType.Topic, "orders"));
        Assert.True(authorizer.Authorize("User:alice", "10.0.0.1", AclOperation.Describe, AclResourceType.Topic, "orders"));
        Assert.False(authorizer.Authorize("User:alice", "10.0.0.1", AclOperation.Read, AclResourceType.Topic, "orders"));
        Assert.False(authorizer.Authorize("User:bob", "10.0.0.1", AclOperation.Write, AclResourceType.Topic, "orders"));
        Assert.False(authorizer.Authorize("User:alice", "10.0.0.1", AclOperation.Write, AclResourceType.Topic, "payments"));
        Assert.False(authorizer.Authorize("User:alice", "10.0.0.1", AclOperation.Write, AclResourceType.Group, "orders"));
    }

    [Fact]
    public void A_matching_deny_wins_over_any_allow_and_deny_all_denies_everything()
    {
        var authorizer = new AclAuthorizer(
        [
            Allow("User:*", AclOperation.All, AclResourceType.Topic, "*"),
            Deny("User:mallory", AclOperation.Read, AclResourceType.Topic, "secret", AclPatternType.Prefixed),
            Deny("User:eve", AclOperation.All, AclResourceType.Topic, "orders"),
        ], NoSuperUsers, allowEveryoneIfNoAclFound: false);

        Assert.True(authorizer.Authorize("User:mallory", "h", AclOperation.Read, AclResourceType.Topic, "public"));
        Assert.False(authorizer.Authorize("User:mallory", "h", AclOperation.Read, AclResourceType.Topic, "secret-plans"));
        Assert.True(authorizer.Authorize("User:mallory", "h", AclOperation.Write, AclResourceType.Topic, "secret-plans"));
        Assert.False(authorizer.Authorize("User:eve", "h", AclOperation.Describe, AclResourceType.Topic, "orders"));
        Assert.True(authorizer.Authorize("User:eve", "h", AclOperation.Describe, AclResourceType.Topic, "other"));
    }

    [Fact]
    public void Prefixed_and_wildcard_patterns_and_hosts_match_as_kafkas_do()
    {
        var authorizer = new AclAuthorizer(
        [
            Allow("User:etl", AclOperation.Read, AclResourceType.Topic, "raw.", AclPatternType.Prefixed),
            Allow("User:etl", AclOperation.Read, AclResourceType.Group, "*") with { Host = "10.0.0.9" },
        ], NoSuperUsers, allowEveryoneIfNoAclFound: false);

        Assert.True(authorizer.Authorize("User:etl", "h", AclOperation.Read, AclResourceType.Topic, "raw.clicks"));
        Assert.False(authorizer.Authorize("User:etl", "h", AclOperation.Read, AclResourceType.Topic, "rawclicks"));
        Assert.True(authorizer.Authorize("User:etl", "10.0.0.9", AclOperation.Read, AclResourceType.Group, "any-group"));
        Assert.False(authorizer.Authorize("User:etl", "10.0.0.8", AclOperation.Read, AclResourceType.Group, "any-group"));
    }

    [Fact]
    public void A_resource_no_acl_names_is_open_only_when_allowed_and_super_users_pass_every_check()
    {
        AclBinding[] acls = [Allow("User:alice", AclOperation.Read, AclResourceType.Topic, "orders")];
        var closed = new AclAuthorizer(acls, new HashSet<string> { "User:admin" }, allowEveryoneIfNoAclFound: false);
        var open = new AclAuthorizer(acls, NoSuperUsers, allowEveryoneIfNoAclFound: true);

        Assert.False(closed.Authorize("User:bob", "h", AclOperation.Read, AclResourceType.Topic, "unnamed"));
        Assert.True(open.Authorize("User:bob", "h", AclOperation.Read, AclResourceType.Topic, "unnamed"));

        // A resource some ACL names is closed to everyone else, even with allow.everyone.if.no.acl.found.
        Assert.False(open.Authorize("User:bob", "h", AclOperation.Read, AclResourceType.Topic, "orders"));
        Assert.True(closed.Authorize("User:admin", "h", AclOperation.Delete, AclResourceType.Cluster, AclBinding.ClusterName));
    }

    [Fact]
    public void Alter_configs_implies_describe_configs_but_describe_implies_nothing()
    {
        Assert.True(AclAuthorizer.Implies(AclOperation.AlterConfigs, AclOperation.DescribeConfigs));
        Assert.True(AclAuthorizer.Implies(AclOperation.Delete, AclOperation.Describe));
        Assert.False(AclAuthorizer.Implies(AclOperation.Describe, AclOperation.Read));
        Assert.False(AclAuthorizer.Implies(AclOperation.DescribeConfigs, AclOperation.AlterConfigs));
    }

    private static AclBinding Allow(string principal, AclOperation operation, AclResourceType type, string name, AclPatternType pattern = AclPatternType.Literal) =>
        new(type, name, pattern, principal, AclBinding.Wildcard, operation, AclPermissionType.Allow);

    private static AclBinding Deny(string principal, AclOperation operation, AclResourceType type, string name, AclPatternType pattern = AclPatternType.Literal) =>
        new(type, name, pattern, principal, AclBinding.Wildcard, operation, AclPermissionType.Deny);
}
