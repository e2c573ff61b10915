using System.Collections.Immutable;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Metadata;

namespace OrleansLog.Kafka.Handlers;

/// <summary>
/// Looks a topic up for a Metadata request and, as Kafka's <c>auto.create.topics.enable</c> does, creates
/// it with the broker defaults when it is unknown, the listener allows it and the client asked for it
/// (producers do; consumers do not).
/// </summary>
internal sealed class TopicAutoCreation(KafkaListenerContext context)
{
    public async Task<(string Name, ErrorCode Error, TopicDescription? Topic)> Find(string name, bool allowAutoCreate)
    {
        var coordinator = context.Grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey);
        try
        {
            if (await coordinator.TryGetTopic(name) is { } topic)
            {
                return (name, ErrorCode.None, topic);
            }

            if (!allowAutoCreate || !context.Options.AutoCreateTopics)
            {
                return (name, ErrorCode.UnknownTopicOrPartition, null);
            }

            return (name, ErrorCode.None, await coordinator.CreateTopic(name, context.Options.DefaultPartitions, -1, ImmutableDictionary<string, string>.Empty));
        }
        catch (OrleansLogException e) when (e.Code == ErrorCode.TopicAlreadyExists)
        {
            // Another client created it in the meantime.
            return (name, ErrorCode.None, await coordinator.TryGetTopic(name));
        }
        catch (Exception e)
        {
            return (name, KafkaErrors.From(e).Code, null);
        }
    }
}
