using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Security;

namespace OrleansLog.Kafka.Security;

/// <summary>
/// The ACL checks the Kafka handlers make: the request's principal, from the client's address, against the broker's
/// <see cref="Server.Security.AclCache"/> (every check passes while authorization is off).
/// </summary>
internal static class KafkaAccess
{
    public static bool Allows(this KafkaListenerContext context, KafkaRequest request, AclOperation operation, AclResourceType type, string name) =>
        context.Acls.Authorize(request.Principal, request.ClientHost.TrimStart('/'), operation, type, name);

    public static bool AllowsTopic(this KafkaListenerContext context, KafkaRequest request, AclOperation operation, string topic) =>
        context.Allows(request, operation, AclResourceType.Topic, topic);

    public static bool AllowsGroup(this KafkaListenerContext context, KafkaRequest request, AclOperation operation, string group) =>
        context.Allows(request, operation, AclResourceType.Group, group);

    public static bool AllowsCluster(this KafkaListenerContext context, KafkaRequest request, AclOperation operation) =>
        context.Allows(request, operation, AclResourceType.Cluster, AclBinding.ClusterName);

    /// <summary>Whether some resource of <paramref name="type"/> allows <paramref name="operation"/> (Kafka's check by resource type).</summary>
    public static bool AllowsAny(this KafkaListenerContext context, KafkaRequest request, AclOperation operation, AclResourceType type) =>
        context.Acls.AuthorizeAny(request.Principal, request.ClientHost.TrimStart('/'), operation, type);

    /// <summary>The refusal a client reads for a topic it may not touch.</summary>
    public static string TopicRefusal(KafkaRequest request, AclOperation operation, string topic) =>
        $"{request.Principal} is not authorized to {operation} topic \"{topic}\".";
}
