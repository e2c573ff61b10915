using OrleansLog.Security;

namespace OrleansLog.Server.Security;

/// <summary>
/// Kafka's authorization rule over one snapshot of ACLs (as its StandardAuthorizer decides): a super user may do
/// anything; otherwise a DENY that matches wins; otherwise an ALLOW that matches permits; a resource that no ACL names
/// at all is open only with <c>allow.everyone.if.no.acl.found</c>. ALL covers every operation; allowing READ, WRITE,
/// DELETE or ALTER also allows DESCRIBE, and allowing ALTER_CONFIGS allows DESCRIBE_CONFIGS.
/// Immutable: a new snapshot is built when the ACLs change, so readers never lock.
/// </summary>
public sealed class AclAuthorizer
{
    private readonly Dictionary<(AclResourceType, string), List<AclBinding>> _literal = [];
    private readonly Dictionary<AclResourceType, List<AclBinding>> _wildcardOrPrefixed = [];
    private readonly IReadOnlySet<string> _superUsers;
    private readonly bool _allowIfNoAcl;

    public AclAuthorizer(IEnumerable<AclBinding> acls, IReadOnlySet<string> superUsers, bool allowEveryoneIfNoAclFound)
    {
        _superUsers = superUsers;
        _allowIfNoAcl = allowEveryoneIfNoAclFound;
        foreach (var acl in acls)
        {
            if (acl.PatternType == AclPatternType.Literal && acl.ResourceName != AclBinding.Wildcard)
            {
                Add(_literal, (acl.ResourceType, acl.ResourceName), acl);
            }
            else
            {
                Add(_wildcardOrPrefixed, acl.ResourceType, acl);
            }
        }
    }

    /// <summary>Whether <paramref name="principal"/> from <paramref name="host"/> may do <paramref name="operation"/> on the resource.</summary>
    public bool Authorize(string principal, string host, AclOperation operation, AclResourceType type, string name)
    {
        if (_superUsers.Contains(principal))
        {
            return true;
        }

        var any = false;
        var allowed = false;
        foreach (var acl in Matching(type, name))
        {
            any = true;
            if (!acl.AppliesTo(principal, host))
            {
                continue;
            }

            if (acl.Permission == AclPermissionType.Deny && (acl.Operation == AclOperation.All || acl.Operation == operation))
            {
                return false;
            }

            allowed |= acl.Permission == AclPermissionType.Allow && Implies(acl.Operation, operation);
        }

        return allowed || (!any && _allowIfNoAcl);
    }

    /// <summary>
    /// Whether the principal may do <paramref name="operation"/> on at least one resource of <paramref name="type"/>, as
    /// Kafka's authorizeByResourceType decides an idempotent producer's WRITE: an ALLOW of some resource, unless a DENY of
    /// the operation covers every resource of the type ("*" literal or the empty prefix).
    /// </summary>
    public bool AuthorizeAny(string principal, string host, AclOperation operation, AclResourceType type)
    {
        if (_superUsers.Contains(principal))
        {
            return true;
        }

        var ofType = _literal.Where(e => e.Key.Item1 == type).SelectMany(e => e.Value)
            .Concat(_wildcardOrPrefixed.GetValueOrDefault(type) ?? [])
            .Where(a => a.AppliesTo(principal, host))
            .ToList();
        if (ofType.Any(a => a.Permission == AclPermissionType.Deny && (a.Operation == AclOperation.All || a.Operation == operation)
            && (a.ResourceName == AclBinding.Wildcard || (a.PatternType == AclPatternType.Prefixed && a.ResourceName.Length == 0))))
        {
            return false;
        }

        return ofType.Any(a => a.Permission == AclPermissionType.Allow && Implies(a.Operation, operation))
            || (_allowIfNoAcl && !_literal.Keys.Any(k => k.Item1 == type) && !_wildcardOrPrefixed.ContainsKey(type));
    }

    /// <summary>Whether an ALLOW of <paramref name="granted"/> permits <paramref name="wanted"/>.</summary>
    public static bool Implies(AclOperation granted, AclOperation wanted) =>
        granted == AclOperation.All || granted == wanted
        || (wanted == AclOperation.Describe && granted is AclOperation.Read or AclOperation.Write or AclOperation.Delete or AclOperation.Alter)
        || (wanted == AclOperation.DescribeConfigs && granted == AclOperation.AlterConfigs);

    private IEnumerable<AclBinding> Matching(AclResourceType type, string name)
    {
        if (_literal.TryGetValue((type, name), out var literal))
        {
            foreach (var acl in literal)
            {
                yield return acl;
            }
        }

        if (_wildcardOrPrefixed.TryGetValue(type, out var others))
        {
            foreach (var acl in others.Where(a => a.Covers(type, name)))
            {
                yield return acl;
            }
        }
    }

    private static void Add<TKey>(Dictionary<TKey, List<AclBinding>> index, TKey key, AclBinding acl)
        where TKey : notnull
    {
        if (!index.TryGetValue(key, out var list))
        {
            index[key] = list = [];
        }

        list.Add(acl);
    }
}
