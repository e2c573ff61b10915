using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Reflection;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Security;

namespace OrleansLog.Server.Security;

/// <summary>
/// What a client needs to call one grain method: the ACL of its <see cref="RequiresAclAttribute"/> with the resource's
/// name found in the call, and the listing filter of its <see cref="FiltersByAclAttribute"/>. Read once per method from
/// the attributes. Immutable and thread-safe.
/// </summary>
public sealed class GrainAccessRule
{
    private static readonly ConcurrentDictionary<MethodInfo, GrainAccessRule> Rules = new();

    private GrainAccessRule(RequiresAclAttribute? requires, FiltersByAclAttribute? filters)
    {
        Requires = requires;
        Filters = filters;
    }

    public RequiresAclAttribute? Requires { get; }

    public FiltersByAclAttribute? Filters { get; }

    public bool IsOpen => Requires is null && Filters is null;

    public static GrainAccessRule For(MethodInfo method) =>
        Rules.GetOrAdd(method, static m => new GrainAccessRule(m.GetCustomAttribute<RequiresAclAttribute>(inherit: false), m.GetCustomAttribute<FiltersByAclAttribute>(inherit: false)));

    /// <summary>The name of the resource <see cref="Requires"/> names, from the grain's key or the call's first argument.</summary>
    public static string ResourceName(AclResourceSource source, GrainId target, Func<object?> firstArgument) => source switch
    {
        AclResourceSource.Cluster => AclBinding.ClusterName,
        AclResourceSource.GrainKey => target.Key.ToString()!,
        AclResourceSource.PartitionKeyTopic => TopicPartition.ParseGrainKey(target.Key.ToString()!).Topic,
        AclResourceSource.FirstArgument => firstArgument() as string ?? "",
        AclResourceSource.SubjectTopic => SubjectTopic(firstArgument() as string ?? ""),
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, null),
    };

    /// <summary>The topic of a schema registry subject by Confluent's TopicNameStrategy: "orders-value" and "orders-key" are "orders".</summary>
    public static string SubjectTopic(string subject) =>
        subject.EndsWith("-value", StringComparison.Ordinal) ? subject[..^"-value".Length]
        : subject.EndsWith("-key", StringComparison.Ordinal) ? subject[..^"-key".Length]
        : subject;

    /// <summary>The error a client reads when refused an operation on a resource of <paramref name="type"/>.</summary>
    public static ErrorCode RefusalCode(AclResourceType type) => type switch
    {
        AclResourceType.Topic => ErrorCode.TopicAuthorizationFailed,
        AclResourceType.Group => ErrorCode.GroupAuthorizationFailed,
        AclResourceType.TransactionalId => ErrorCode.TransactionalIdAuthorizationFailed,
        _ => ErrorCode.ClusterAuthorizationFailed,
    };

    /// <summary>A listing with only what <paramref name="visible"/> lets the caller see, or the result itself when it is not a listing this filter knows.</summary>
    public object? Filter(object? result, Func<string, bool> visible) => (Filters, result) switch
    {
        (null, _) => result,
        ({ NamesAreSubjects: true }, ImmutableArray<string> subjects) => subjects.Where(s => visible(SubjectTopic(s))).ToImmutableArray(),
        (_, ImmutableArray<string> names) => names.Where(visible).ToImmutableArray(),
        (_, ImmutableArray<TopicDescription> topics) => topics.Where(t => visible(t.Name)).ToImmutableArray(),
        _ => throw new InvalidOperationException($"[FiltersByAcl] does not know how to filter a {result?.GetType().Name}."),
    };
}
