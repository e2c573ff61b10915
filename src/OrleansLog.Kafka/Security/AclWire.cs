using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Security;

namespace OrleansLog.Kafka.Security;

/// <summary>
/// The ACL fields of CreateAcls, DescribeAcls and DeleteAcls (v0-1, before flexible versions), and the checks the three
/// share: authorization must be on (else SECURITY_DISABLED, as Kafka without an authorizer) and the principal needs
/// the operation on the cluster.
/// </summary>
internal static class AclWire
{
    /// <summary>Version 0 has no pattern type: its resources are literal.</summary>
    private const sbyte LiteralPattern = (sbyte)AclPatternType.Literal;

    public static AclBinding ReadBinding(ref KafkaReader reader, short version) => new(
        (AclResourceType)reader.ReadInt8(),
        reader.ReadString(flexible: false),
        (AclPatternType)(version >= 1 ? reader.ReadInt8() : LiteralPattern),
        reader.ReadString(flexible: false),
        reader.ReadString(flexible: false),
        (AclOperation)reader.ReadInt8(),
        (AclPermissionType)reader.ReadInt8());

    public static AclFilter ReadFilter(ref KafkaReader reader, short version) => new(
        (AclResourceType)reader.ReadInt8(),
        reader.ReadNullableString(flexible: false),
        (AclPatternType)(version >= 1 ? reader.ReadInt8() : LiteralPattern),
        reader.ReadNullableString(flexible: false),
        reader.ReadNullableString(flexible: false),
        (AclOperation)reader.ReadInt8(),
        (AclPermissionType)reader.ReadInt8());

    /// <summary>Why the request may not touch ACLs (code and message), or null.</summary>
    public static (ErrorCode Code, string Message)? Refusal(Hosting.KafkaListenerContext context, KafkaRequest request, AclOperation operation) =>
        !context.Acls.Enabled ? (ErrorCode.SecurityDisabled, "Authorization is off on this cluster (OrleansLog:Authorization:Enabled).")
        : !context.AllowsCluster(request, operation) ? (ErrorCode.ClusterAuthorizationFailed, $"{request.Principal} is not authorized to {operation} the cluster's ACLs.")
        : null;

    public static void WriteResource(KafkaWriter response, AclResourceType type, string name, AclPatternType pattern, short version)
    {
        response.WriteInt8((sbyte)type);
        response.WriteString(name, flexible: false);
        if (version >= 1)
        {
            response.WriteInt8((sbyte)pattern);
        }
    }

    public static void WriteBinding(KafkaWriter response, AclBinding acl, short version, bool withResource)
    {
        if (withResource)
        {
            WriteResource(response, acl.ResourceType, acl.ResourceName, acl.PatternType, version);
        }

        response.WriteString(acl.Principal, flexible: false);
        response.WriteString(acl.Host, flexible: false);
        response.WriteInt8((sbyte)acl.Operation);
        response.WriteInt8((sbyte)acl.Permission);
    }
}
