namespace OrleansLog.Security;

/// <summary>
/// Kafka's ACL filter (DescribeAcls, DeleteAcls): each field narrows the ACLs it matches; ANY (or a null name, principal
/// or host) matches every value. Pattern MATCH with a name matches the ACLs that would apply to that resource: the
/// literal name, the literal wildcard "*", and every prefix of it.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AclFilter(
    [property: Id(0)] AclResourceType ResourceType,
    [property: Id(1)] string? ResourceName,
    [property: Id(2)] AclPatternType PatternType,
    [property: Id(3)] string? Principal,
    [property: Id(4)] string? Host,
    [property: Id(5)] AclOperation Operation,
    [property: Id(6)] AclPermissionType Permission)
{
    /// <summary>Matches every ACL.</summary>
    public static AclFilter All { get; } = new(AclResourceType.Any, null, AclPatternType.Any, null, null, AclOperation.Any, AclPermissionType.Any);

    public bool Matches(AclBinding acl) =>
        (ResourceType == AclResourceType.Any || ResourceType == acl.ResourceType)
        && MatchesPattern(acl)
        && (Principal is null || Principal == acl.Principal)
        && (Host is null || Host == acl.Host)
        && (Operation == AclOperation.Any || Operation == acl.Operation)
        && (Permission == AclPermissionType.Any || Permission == acl.Permission);

    private bool MatchesPattern(AclBinding acl) => PatternType switch
    {
        AclPatternType.Any => ResourceName is null || ResourceName == acl.ResourceName,
        AclPatternType.Match => ResourceName is null
            || (acl.PatternType == AclPatternType.Literal && (acl.ResourceName == ResourceName || acl.ResourceName == AclBinding.Wildcard))
            || (acl.PatternType == AclPatternType.Prefixed && ResourceName.StartsWith(acl.ResourceName, StringComparison.Ordinal)),
        _ => PatternType == acl.PatternType && (ResourceName is null || ResourceName == acl.ResourceName),
    };
}
