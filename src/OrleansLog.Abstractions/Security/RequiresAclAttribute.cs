namespace OrleansLog.Security;

/// <summary>
/// The ACL a client must hold to call a grain method (Kafka's rule for the matching Kafka API). The broker checks it for
/// calls that come from a client, under the principal of the client's session (<see cref="SessionContext"/>), before the
/// grain runs; calls between grains were checked where they entered the cluster. The Kafka listener checks its requests
/// itself, so its calls carry no session and pass.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class RequiresAclAttribute(AclOperation operation, AclResourceType type, AclResourceSource source) : Attribute
{
    public AclOperation Operation { get; } = operation;

    public AclResourceType Type { get; } = type;

    /// <summary>Where the resource's name comes from.</summary>
    public AclResourceSource Source { get; } = source;

    /// <summary>
    /// An operation on the cluster that allows the call as well (Kafka's CreateTopics: CREATE on the cluster or on the
    /// topic); <see cref="AclOperation.Unknown"/> for none.
    /// </summary>
    public AclOperation OrOnCluster { get; init; }

    /// <summary>Whether WRITE on some topic allows the call as well (Kafka's InitProducerId for an idempotent producer).</summary>
    public bool OrWriteOnAnyTopic { get; init; }
}

/// <summary>Where a <see cref="RequiresAclAttribute"/> finds the resource's name.</summary>
public enum AclResourceSource
{
    /// <summary>The cluster (the name is "kafka-cluster").</summary>
    Cluster,

    /// <summary>The grain's string key (a topic grain's topic, a group grain's group).</summary>
    GrainKey,

    /// <summary>The topic of a partition grain's key ("topic/partition").</summary>
    PartitionKeyTopic,

    /// <summary>The method's first argument, a string.</summary>
    FirstArgument,

    /// <summary>
    /// The topic of the schema registry subject in the first argument, by Confluent's TopicNameStrategy ("orders-value"
    /// and "orders-key" are topic "orders"); a subject without either suffix names a topic of its own name.
    /// </summary>
    SubjectTopic,
}

/// <summary>
/// A grain method whose answer lists resources: a client's session sees only those it may DESCRIBE (Kafka's Metadata
/// and ListGroups filter the same way), instead of a refusal.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class FiltersByAclAttribute(AclResourceType type) : Attribute
{
    public AclResourceType Type { get; } = type;

    /// <summary>Whether the listed names are schema registry subjects, seen through their topics (<see cref="AclResourceSource.SubjectTopic"/>).</summary>
    public bool NamesAreSubjects { get; init; }
}
