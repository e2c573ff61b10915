using OrleansLog.Security;
using OrleansLog.Metadata;

namespace OrleansLog.Topics;

/// <summary>
/// One per topic (key: the topic name): the topic-level view for clients and routing. Caches the
/// coordinator's description (refreshed by the coordinator on every change) so producers and
/// partition grains do not all ask the coordinator.
/// </summary>
public interface ITopicGrain : IGrainWithStringKey
{
    /// <summary>The topic, or UNKNOWN_TOPIC_OR_PARTITION.</summary>
    [RequiresAcl(AclOperation.Describe, AclResourceType.Topic, AclResourceSource.GrainKey)]
    Task<TopicDescription> GetMetadata();

    /// <summary>The topic, or null.</summary>
    [RequiresAcl(AclOperation.Describe, AclResourceType.Topic, AclResourceSource.GrainKey)]
    Task<TopicDescription?> TryGetMetadata();

    /// <summary>The topic with every partition's offsets and size.</summary>
    [RequiresAcl(AclOperation.Describe, AclResourceType.Topic, AclResourceSource.GrainKey)]
    Task<TopicDetails> Describe();

    /// <summary>Called by the coordinator after a change; null when the topic was deleted.</summary>
    [Security.ClusterInternal]
    Task Update(TopicDescription? description);
}
