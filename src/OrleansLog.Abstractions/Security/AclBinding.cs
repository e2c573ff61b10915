namespace OrleansLog.Security;

/// <summary>Kafka's ACL resource types (their numbers are Kafka's wire values).</summary>
public enum AclResourceType : sbyte
{
    Unknown = 0,
    Any = 1,
    Topic = 2,
    Group = 3,
    Cluster = 4,
    TransactionalId = 5,
}

/// <summary>How an ACL's resource name matches (Kafka's wire values): the name itself, or every name it begins.</summary>
public enum AclPatternType : sbyte
{
    Unknown = 0,
    Any = 1,
    Match = 2,
    Literal = 3,
    Prefixed = 4,
}

/// <summary>Kafka's ACL operations (their wire values).</summary>
public enum AclOperation : sbyte
{
    Unknown = 0,
    Any = 1,
    All = 2,
    Read = 3,
    Write = 4,
    Create = 5,
    Delete = 6,
    Alter = 7,
    Describe = 8,
    ClusterAction = 9,
    DescribeConfigs = 10,
    AlterConfigs = 11,
    IdempotentWrite = 12,
}

/// <summary>Whether an ACL allows or denies (Kafka's wire values).</summary>
public enum AclPermissionType : sbyte
{
    Unknown = 0,
    Any = 1,
    Deny = 2,
    Allow = 3,
}

/// <summary>
/// One ACL, as Kafka's CreateAcls carries it: a principal ("User:alice", or "User:*" for everyone) from a host ("*"
/// for any) may or may not do an operation on the resources a pattern names ("*" literal: every resource of the type).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AclBinding(
    [property: Id(0)] AclResourceType ResourceType,
    [property: Id(1)] string ResourceName,
    [property: Id(2)] AclPatternType PatternType,
    [property: Id(3)] string Principal,
    [property: Id(4)] string Host,
    [property: Id(5)] AclOperation Operation,
    [property: Id(6)] AclPermissionType Permission)
{
    public const string Wildcard = "*";

    /// <summary>The name of the one cluster resource.</summary>
    public const string ClusterName = "kafka-cluster";

    /// <summary>Whether this ACL's resource pattern covers the resource <paramref name="name"/> of <paramref name="type"/>.</summary>
    public bool Covers(AclResourceType type, string name) =>
        ResourceType == type && PatternType switch
        {
            AclPatternType.Literal => ResourceName == Wildcard || ResourceName == name,
            AclPatternType.Prefixed => name.StartsWith(ResourceName, StringComparison.Ordinal),
            _ => false,
        };

    /// <summary>Whether it applies to <paramref name="principal"/> connecting from <paramref name="host"/>.</summary>
    public bool AppliesTo(string principal, string host) =>
        (Principal == principal || Principal == "User:" + Wildcard) && (Host == Wildcard || Host == host);
}
