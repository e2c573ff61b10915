using System.Collections.Immutable;
using OrleansLog.Brokers;
using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Security;
using OrleansLog.Metadata;
using OrleansLog.Security;

namespace OrleansLog.Kafka.Handlers;

/// <summary>
/// Metadata (key 3, v0-8): the live brokers with their advertised Kafka endpoints, this broker as the
/// controller (any broker serves admin requests), and per topic every partition's leader, leader epoch,
/// replicas, ISR and offline replicas, so clients send produces and fetches straight to each leader.
/// Unknown topics are created when <see cref="KafkaListenerOptions.AutoCreateTopics"/> and the request allow it.
/// </summary>
internal sealed class MetadataHandler(KafkaListenerContext context, TopicAutoCreation autoCreation) : IKafkaHandler
{
    public ApiKey Key => ApiKey.Metadata;

    public async Task<KafkaWriter?> HandleAsync(KafkaRequest request)
    {
        var (names, allowAutoCreate) = Read(request);
        var coordinator = context.Grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey);
        var brokers = await coordinator.ListBrokers();
        var topics = new List<(string Name, ErrorCode Error, TopicDescription? Topic)>();
        if (names is null)
        {
            // Only the topics the principal may describe are listed.
            topics.AddRange((await coordinator.ListTopics())
                .Where(t => context.AllowsTopic(request, AclOperation.Describe, t.Name, audit: false))
                .Select(t => (t.Name, ErrorCode.None, (TopicDescription?)t)));
        }
        else
        {
            foreach (var name in names)
            {
                // A topic the principal may not describe is refused as such, and never created.
                topics.Add(context.AllowsTopic(request, AclOperation.Describe, name)
                    ? await autoCreation.Find(name, allowAutoCreate && (context.AllowsCluster(request, AclOperation.Create, audit: false) || context.AllowsTopic(request, AclOperation.Create, name)))
                    : (name, ErrorCode.TopicAuthorizationFailed, null));
            }
        }

        return Write(request, brokers, topics);
    }

    private static (List<string>? Names, bool AllowAutoCreate) Read(KafkaRequest request)
    {
        var reader = new KafkaReader(request.Body);
        var count = reader.ReadArrayLength(flexible: false);
        List<string>? names = null;

        // Version 0 has no null array: an empty one asks for every topic.
        if (count > 0 || (count == 0 && request.Version >= 1))
        {
            names = new List<string>(count);
            for (var i = 0; i < count; i++)
            {
                names.Add(reader.ReadString(flexible: false));
            }
        }

        var allowAutoCreate = request.Version < 4 || reader.ReadBool();
        return (names, allowAutoCreate);
    }

    private KafkaWriter Write(KafkaRequest request, ImmutableArray<BrokerDescription> brokers, List<(string Name, ErrorCode Error, TopicDescription? Topic)> topics)
    {
        var version = request.Version;
        var alive = brokers.Where(b => b.IsAlive).Select(b => b.Id).ToHashSet();
        var listed = new List<(int Id, string Host, int Port)>(brokers.Length);
        foreach (var broker in brokers)
        {
            if (broker.IsAlive && KafkaEndpoint.TryParse(broker.KafkaEndpoint, request.ListenerName, out var host, out var port))
            {
                listed.Add((broker.Id, host, port));
            }
        }

        var response = request.StartResponse(1024);
        if (version >= 3)
        {
            response.WriteThrottleTime();
        }

        response.WriteArrayLength(listed.Count, flexible: false);
        foreach (var broker in listed)
        {
            response.WriteInt32(broker.Id);
            response.WriteString(broker.Host, flexible: false);
            response.WriteInt32(broker.Port);
            if (version >= 1)
            {
                response.WriteNullableString(null, flexible: false);
            }
        }

        if (version >= 2)
        {
            response.WriteNullableString(context.ClusterId, flexible: false);
        }

        if (version >= 1)
        {
            response.WriteInt32(context.BrokerId);
        }

        response.WriteArrayLength(topics.Count, flexible: false);
        foreach (var (name, error, topic) in topics)
        {
            response.WriteInt16(error);
            response.WriteString(name, flexible: false);
            if (version >= 1)
            {
                response.WriteBool(false);
            }

            var partitions = topic?.Partitions ?? [];
            response.WriteArrayLength(partitions.Length, flexible: false);
            foreach (var partition in partitions)
            {
                var online = partition.IsOnline && alive.Contains(partition.Leader);
                response.WriteInt16(online ? ErrorCode.None : ErrorCode.LeaderNotAvailable);
                response.WriteInt32(partition.Partition);
                response.WriteInt32(online ? partition.Leader : -1);
                if (version >= 7)
                {
                    response.WriteInt32(partition.LeaderEpoch);
                }

                response.WriteInt32Array(partition.Replicas.AsSpan(), flexible: false);
                response.WriteInt32Array(partition.Isr.AsSpan(), flexible: false);
                if (version >= 5)
                {
                    response.WriteInt32Array(partition.Replicas.Where(r => !alive.Contains(r)).ToArray(), flexible: false);
                }
            }

            if (version >= 8)
            {
                response.WriteInt32(int.MinValue);
            }
        }

        if (version >= 8)
        {
            response.WriteInt32(int.MinValue);
        }

        return response;
    }
}
