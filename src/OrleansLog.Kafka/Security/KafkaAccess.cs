using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Security;

namespace OrleansLog.Kafka.Security;

/// <summary>
/// The ACL checks the Kafka handlers make: the request's principal, from the client's address, against the broker's
/// <see cref="Server.Security.AclCache"/> (every check passes while authorization is off); denials go to the audit trail.
/// </summary>
internal static class KafkaAccess
{
    /// <summary>
    /// Whether the request's principal may do <paramref name="operation"/> on the resource. A refusal is an audit event,
    /// unless <paramref name="audit"/> is false: a check that only filters what a listing shows, or the first of two
    /// checks either of which allows, is not a denial (Kafka's authorizer logs those the same way).
    /// </summary>
    public static bool Allows(this KafkaListenerContext context, KafkaRequest request, AclOperation operation, AclResourceType type, string name, bool audit = true)
    {
        var host = request.ClientHost.TrimStart('/');
        if (context.Acls.Authorize(request.Principal, host, operation, type, name))
        {
            return true;
        }

        if (audit)
        {
            context.Audit.Denied(request.Principal, host, operation, type, name);
        }

        return false;
    }

    public static bool AllowsTopic(this KafkaListenerContext context, KafkaRequest request, AclOperation operation, string topic, bool audit = true) =>
        context.Allows(request, operation, AclResourceType.Topic, topic, audit);

    public static bool AllowsGroup(this KafkaListenerContext context, KafkaRequest request, AclOperation operation, string group, bool audit = true) =>
        context.Allows(request, operation, AclResourceType.Group, group, audit);

    public static bool AllowsCluster(this KafkaListenerContext context, KafkaRequest request, AclOperation operation, bool audit = true) =>
        context.Allows(request, operation, AclResourceType.Cluster, AclBinding.ClusterName, audit);

    /// <summary>Whether some resource of <paramref name="type"/> allows <paramref name="operation"/> (Kafka's check by resource type).</summary>
    public static bool AllowsAny(this KafkaListenerContext context, KafkaRequest request, AclOperation operation, AclResourceType type) =>
        context.Acls.AuthorizeAny(request.Principal, request.ClientHost.TrimStart('/'), operation, type);

    /// <summary>Records a denial decided by more than one check (see <see cref="AllowsAny"/>).</summary>
    public static void RecordDenial(this KafkaListenerContext context, KafkaRequest request, AclOperation operation, AclResourceType type, string name) =>
        context.Audit.Denied(request.Principal, request.ClientHost.TrimStart('/'), operation, type, name);

    /// <summary>The refusal a client reads for a topic it may not touch.</summary>
    public static string TopicRefusal(KafkaRequest request, AclOperation operation, string topic) =>
        $"{request.Principal} is not authorized to {operation} topic \"{topic}\".";
}
