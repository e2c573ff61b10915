using OrleansLog.Security;
using OrleansLog.Server.Security;

namespace OrleansLog.Server.Tests.Security;

/// <summary>What an ACL may be (Kafka's CreateAcls rules), how filters match, the check by resource type, and the options.</summary>
public class AclRulesTests
{
    private static readonly AclBinding Good = new(AclResourceType.Topic, "orders", AclPatternType.Literal, "User:alice", "*", AclOperation.Read, AclPermissionType.Allow);

    public static TheoryData<AclBinding, string> Refused => new()
    {
        { Good with { ResourceType = AclResourceType.Any }, "resource type" },
        { Good with { ResourceType = (AclResourceType)42 }, "resource type" },
        { Good with { PatternType = AclPatternType.Match }, "pattern type" },
        { Good with { Operation = AclOperation.Any }, "operation" },
        { Good with { Permission = AclPermissionType.Any }, "permission type" },
        { Good with { ResourceName = "" }, "resource name" },
        { Good with { ResourceName = "*", PatternType = AclPatternType.Prefixed }, "resource name" },
        { Good with { ResourceType = AclResourceType.Cluster, ResourceName = "orders" }, "kafka-cluster" },
        { Good with { Principal = "alice" }, "principal" },
        { Good with { Principal = "User:" }, "principal" },
        { Good with { Host = "" }, "host" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void An_acl_kafka_would_refuse_is_refused_naming_the_rule(AclBinding acl, string rule)
    {
        Assert.Null(AclStoreGrain.Refusal(Good));
        Assert.Contains(rule, AclStoreGrain.Refusal(acl), StringComparison.Ordinal);
    }

    [Fact]
    public void A_match_filter_finds_every_acl_that_applies_to_the_resource()
    {
        AclBinding[] acls =
        [
            Good,
            Good with { ResourceName = "*" },
            Good with { ResourceName = "ord", PatternType = AclPatternType.Prefixed },
            Good with { ResourceName = "orders-x" },
            Good with { ResourceType = AclResourceType.Group },
        ];
        var match = new AclFilter(AclResourceType.Topic, "orders", AclPatternType.Match, null, null, AclOperation.Any, AclPermissionType.Any);
        Assert.Equal(3, acls.Count(match.Matches));

        var literal = new AclFilter(AclResourceType.Any, "orders", AclPatternType.Literal, "User:alice", null, AclOperation.Read, AclPermissionType.Allow);
        Assert.Equal(2, acls.Count(literal.Matches));
        Assert.Equal(acls.Length, acls.Count(AclFilter.All.Matches));
    }

    [Fact]
    public void The_check_by_resource_type_needs_one_allow_and_no_deny_of_every_resource()
    {
        var some = new AclAuthorizer([Good with { Operation = AclOperation.Write }], new HashSet<string>(), allowEveryoneIfNoAclFound: false);
        Assert.True(some.AuthorizeAny("User:alice", "h", AclOperation.Write, AclResourceType.Topic));
        Assert.False(some.AuthorizeAny("User:bob", "h", AclOperation.Write, AclResourceType.Topic));

        var denied = new AclAuthorizer(
            [Good with { Operation = AclOperation.Write }, Good with { ResourceName = "*", Operation = AclOperation.Write, Permission = AclPermissionType.Deny }],
            new HashSet<string>(),
            allowEveryoneIfNoAclFound: false);
        Assert.False(denied.AuthorizeAny("User:alice", "h", AclOperation.Write, AclResourceType.Topic));
    }

    [Fact]
    public void Authorization_options_are_checked_by_name()
    {
        var validator = new AuthorizationOptionsValidator();
        Assert.True(validator.Validate(null, new AuthorizationOptions { SuperUsers = ["User:admin"] }).Succeeded);
        Assert.StartsWith("OrleansLog:Authorization:SuperUsers ", Assert.Single(validator.Validate(null, new AuthorizationOptions { SuperUsers = ["admin"] }).Failures!), StringComparison.Ordinal);
        Assert.StartsWith("OrleansLog:Authorization:RefreshInterval ", Assert.Single(validator.Validate(null, new AuthorizationOptions { RefreshInterval = TimeSpan.Zero }).Failures!), StringComparison.Ordinal);
    }
}
