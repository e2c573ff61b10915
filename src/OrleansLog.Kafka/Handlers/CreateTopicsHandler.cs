using System.Collections.Immutable;
using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Security;
using OrleansLog.Metadata;
using OrleansLog.Security;

namespace OrleansLog.Kafka.Handlers;

/// <summary>
/// CreateTopics (key 19, v0-4): each topic through the coordinator, which validates name, partitions,
/// replication factor and configs. -1 partitions or replicas take the broker defaults. validate_only checks
/// the same rules without creating. Manual replica assignments are refused: the coordinator places replicas.
/// </summary>
internal sealed class CreateTopicsHandler(KafkaListenerContext context) : IKafkaHandler
{
    public ApiKey Key => ApiKey.CreateTopics;

    public async Task<KafkaWriter?> HandleAsync(KafkaRequest request)
    {
        var (topics, validateOnly) = Read(request);
        var results = new List<(ErrorCode, string?)>(topics.Count);
        foreach (var topic in topics)
        {
            results.Add(context.AllowsCluster(request, AclOperation.Create, audit: false) || context.AllowsTopic(request, AclOperation.Create, topic.Name)
                ? await Create(topic, validateOnly)
                : (ErrorCode.TopicAuthorizationFailed, KafkaAccess.TopicRefusal(request, AclOperation.Create, topic.Name)));
        }

        var version = request.Version;
        var response = request.StartResponse();
        if (version >= 2)
        {
            response.WriteThrottleTime();
        }

        response.WriteArrayLength(topics.Count, flexible: false);
        for (var i = 0; i < topics.Count; i++)
        {
            response.WriteString(topics[i].Name, flexible: false);
            response.WriteInt16(results[i].Item1);
            if (version >= 1)
            {
                response.WriteNullableString(results[i].Item2, flexible: false);
            }
        }

        return response;
    }

    private async Task<(ErrorCode, string?)> Create(NewTopic topic, bool validateOnly)
    {
        var coordinator = context.Grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey);
        try
        {
            if (topic.HasAssignments)
            {
                return (ErrorCode.InvalidRequest, "Manual replica assignment is not supported: leave assignments empty and the coordinator places replicas.");
            }

            var partitions = topic.Partitions == -1 ? context.Options.DefaultPartitions : topic.Partitions;
            if (validateOnly)
            {
                return await Validate(coordinator, topic, partitions);
            }

            await coordinator.CreateTopic(topic.Name, partitions, topic.ReplicationFactor, topic.Configs);
            return (ErrorCode.None, null);
        }
        catch (Exception e)
        {
            var (code, message) = KafkaErrors.From(e);
            return (code, message);
        }
    }

    private static async Task<(ErrorCode, string?)> Validate(IMetadataGrain coordinator, NewTopic topic, int partitions)
    {
        TopicName.Validate(topic.Name);
        TopicConfig.Parse(topic.Configs);
        if (partitions < 1)
        {
            return (ErrorCode.InvalidPartitions, $"A topic needs at least one partition; {partitions} was asked for.");
        }

        var live = (await coordinator.ListBrokers()).Count(b => b.IsAlive);
        if (topic.ReplicationFactor == 0 || topic.ReplicationFactor < -1 || topic.ReplicationFactor > live)
        {
            return (ErrorCode.InvalidReplicationFactor, $"Replication factor {topic.ReplicationFactor} is not possible with {live} live broker(s).");
        }

        return await coordinator.TryGetTopic(topic.Name) is null
            ? (ErrorCode.None, null)
            : (ErrorCode.TopicAlreadyExists, $"Topic \"{topic.Name}\" already exists.");
    }

    private static (List<NewTopic> Topics, bool ValidateOnly) Read(KafkaRequest request)
    {
        var reader = new KafkaReader(request.Body);
        var count = reader.ReadArrayLength(flexible: false);
        var topics = new List<NewTopic>(Math.Max(count, 0));
        for (var t = 0; t < count; t++)
        {
            var name = reader.ReadString(flexible: false);
            var partitions = reader.ReadInt32();
            var replicationFactor = reader.ReadInt16();
            var assignments = reader.ReadArrayLength(flexible: false);
            for (var a = 0; a < assignments; a++)
            {
                reader.ReadInt32();
                reader.ReadInt32Array(flexible: false);
            }

            var configs = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
            var configCount = reader.ReadArrayLength(flexible: false);
            for (var c = 0; c < configCount; c++)
            {
                var key = reader.ReadString(flexible: false);
                if (reader.ReadNullableString(flexible: false) is { } value)
                {
                    configs[key] = value;
                }
            }

            topics.Add(new NewTopic(name, partitions, replicationFactor, assignments > 0, configs.ToImmutable()));
        }

        reader.ReadInt32();
        var validateOnly = request.Version >= 1 && reader.ReadBool();
        return (topics, validateOnly);
    }

    private sealed record NewTopic(string Name, int Partitions, short ReplicationFactor, bool HasAssignments, ImmutableDictionary<string, string> Configs);
}
