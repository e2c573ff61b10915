using System.Collections.Immutable;
using OrleansLog.Client;
using OrleansLog.Metadata;

namespace OrleansLog.Connect.Runtime;

/// <summary>Creates the topics the runtime writes to (the offsets topic, dead-letter topics, a source's topics) when they do not exist yet.</summary>
internal static class ConnectTopics
{
    public static async Task EnsureAsync(OrleansLogClient client, string topic, int partitions, short replicationFactor, ImmutableDictionary<string, string>? configs = null)
    {
        // Looked up first: creating checks the replication factor against the live brokers even when the topic exists,
        // and a task starting again while brokers are down must not fail on a topic it already has.
        if (await client.Grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey).TryGetTopic(topic) is not null)
        {
            return;
        }

        try
        {
            await client.Admin.CreateTopicAsync(topic, partitions, replicationFactor, configs ?? ImmutableDictionary<string, string>.Empty);
        }
        catch (OrleansLogException e) when (e.Code == ErrorCode.TopicAlreadyExists)
        {
        }
    }
}
