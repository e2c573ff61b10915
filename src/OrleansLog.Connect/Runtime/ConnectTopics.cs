using System.Collections.Immutable;
using OrleansLog.Client;

namespace OrleansLog.Connect.Runtime;

/// <summary>Creates the topics the runtime writes to (the offsets topic, dead-letter topics, a source's topics) when they do not exist yet.</summary>
internal static class ConnectTopics
{
    public static async Task EnsureAsync(OrleansLogClient client, string topic, int partitions, short replicationFactor, ImmutableDictionary<string, string>? configs = null)
    {
        try
        {
            await client.Admin.CreateTopicAsync(topic, partitions, replicationFactor, configs ?? ImmutableDictionary<string, string>.Empty);
        }
        catch (OrleansLogException e) when (e.Code == ErrorCode.TopicAlreadyExists)
        {
        }
    }
}
