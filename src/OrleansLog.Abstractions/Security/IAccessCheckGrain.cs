namespace OrleansLog.Security;

/// <summary>
/// ACL checks on their own, for front ends that act for a signed-in caller through machinery shared by every caller
/// (the web front end's one idempotent producer): the front end asks here, in the caller's session, before it hands the
/// caller's records on. Each method completes when the session's principal holds the ACL and is refused with the
/// resource's AUTHORIZATION_FAILED otherwise; the check is the broker's <see cref="RequiresAclAttribute"/>, as for
/// every other grain method.
/// </summary>
public interface IAccessCheckGrain : IGrainWithIntegerKey
{
    /// <summary>Whether the caller may WRITE to <paramref name="topic"/>.</summary>
    [RequiresAcl(AclOperation.Write, AclResourceType.Topic, AclResourceSource.FirstArgument)]
    Task MayWrite(string topic);
}
