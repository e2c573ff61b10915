using System.Globalization;
using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Security;
using OrleansLog.Security;
using OrleansLog.Metadata;

namespace OrleansLog.Kafka.Handlers;

/// <summary>
/// DescribeConfigs (key 32, v0-3): a topic's effective configs under Kafka's names, each marked as an
/// override (DYNAMIC_TOPIC_CONFIG) or a default; a broker's Kafka listener settings as static broker
/// configs. Other resource types are INVALID_REQUEST.
/// </summary>
internal sealed class DescribeConfigsHandler(KafkaListenerContext context) : IKafkaHandler
{
    private const sbyte TopicResource = 2;
    private const sbyte BrokerResource = 4;
    private const sbyte DynamicTopicConfig = 1;
    private const sbyte StaticBrokerConfig = 4;
    private const sbyte DefaultConfig = 5;

    public ApiKey Key => ApiKey.DescribeConfigs;

    public async Task<KafkaWriter?> HandleAsync(KafkaRequest request)
    {
        var (resources, includeSynonyms) = Read(request);
        var results = new List<Result>(resources.Count);
        foreach (var resource in resources)
        {
            results.Add(await Describe(request, resource));
        }

        var version = request.Version;
        var response = request.StartResponse(2048);
        response.WriteThrottleTime();
        response.WriteArrayLength(results.Count, flexible: false);
        foreach (var result in results)
        {
            response.WriteInt16(result.Error);
            response.WriteNullableString(result.Message, flexible: false);
            response.WriteInt8(result.Resource.Type);
            response.WriteString(result.Resource.Name, flexible: false);
            var configs = result.Configs.Where(c => result.Resource.Keys is null || result.Resource.Keys.Contains(c.Name)).ToList();
            response.WriteArrayLength(configs.Count, flexible: false);
            foreach (var config in configs)
            {
                response.WriteString(config.Name, flexible: false);
                response.WriteNullableString(config.Value, flexible: false);
                response.WriteBool(result.Resource.Type == BrokerResource);
                if (version == 0)
                {
                    response.WriteBool(config.Source == DefaultConfig);
                }
                else
                {
                    response.WriteInt8(config.Source);
                }

                response.WriteBool(false);
                if (version >= 1)
                {
                    var synonyms = includeSynonyms ? 1 : 0;
                    response.WriteArrayLength(synonyms, flexible: false);
                    if (synonyms > 0)
                    {
                        response.WriteString(config.Name, flexible: false);
                        response.WriteNullableString(config.Value, flexible: false);
                        response.WriteInt8(config.Source);
                    }
                }

                if (version >= 3)
                {
                    response.WriteInt8(0);
                    response.WriteNullableString(null, flexible: false);
                }
            }
        }

        return response;
    }

    private async Task<Result> Describe(KafkaRequest request, Resource resource)
    {
        switch (resource.Type)
        {
            case TopicResource when !context.AllowsTopic(request, AclOperation.DescribeConfigs, resource.Name):
                return new Result(resource, ErrorCode.TopicAuthorizationFailed, KafkaAccess.TopicRefusal(request, AclOperation.DescribeConfigs, resource.Name), []);

            case BrokerResource when !context.AllowsCluster(request, AclOperation.DescribeConfigs):
                return new Result(resource, ErrorCode.ClusterAuthorizationFailed, $"{request.Principal} is not authorized to describe the cluster's configs.", []);

            case TopicResource:
                try
                {
                    var topic = await context.Grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey).DescribeTopic(resource.Name);
                    var configs = topic.Config.ToDictionary()
                        .Select(c => new Config(c.Key, c.Value, topic.ConfigOverrides.ContainsKey(c.Key) ? DynamicTopicConfig : DefaultConfig))
                        .ToList();
                    return new Result(resource, ErrorCode.None, null, configs);
                }
                catch (Exception e)
                {
                    var (code, message) = KafkaErrors.From(e);
                    return new Result(resource, code, message, []);
                }

            case BrokerResource:
                return new Result(resource, ErrorCode.None, null,
                [
                    new("broker.id", context.BrokerId.ToString(CultureInfo.InvariantCulture), StaticBrokerConfig),
                    new("auto.create.topics.enable", context.Options.AutoCreateTopics ? "true" : "false", StaticBrokerConfig),
                    new("num.partitions", context.Options.DefaultPartitions.ToString(CultureInfo.InvariantCulture), StaticBrokerConfig),
                    new("socket.request.max.bytes", context.Options.MaxRequestBytes.ToString(CultureInfo.InvariantCulture), StaticBrokerConfig),
                ]);

            default:
                return new Result(resource, ErrorCode.InvalidRequest, $"Resource type {resource.Type} is not described: only topics (2) and brokers (4) are.", []);
        }
    }

    private static (List<Resource> Resources, bool IncludeSynonyms) Read(KafkaRequest request)
    {
        var reader = new KafkaReader(request.Body);
        var count = reader.ReadArrayLength(flexible: false);
        var resources = new List<Resource>(Math.Max(count, 0));
        for (var i = 0; i < count; i++)
        {
            var type = reader.ReadInt8();
            var name = reader.ReadString(flexible: false);
            var keyCount = reader.ReadArrayLength(flexible: false);
            HashSet<string>? keys = null;
            if (keyCount >= 0)
            {
                keys = new HashSet<string>(StringComparer.Ordinal);
                for (var k = 0; k < keyCount; k++)
                {
                    keys.Add(reader.ReadString(flexible: false));
                }
            }

            resources.Add(new Resource(type, name, keys));
        }

        var includeSynonyms = request.Version >= 1 && reader.ReadBool();
        return (resources, includeSynonyms);
    }

    private sealed record Resource(sbyte Type, string Name, HashSet<string>? Keys);

    private sealed record Config(string Name, string Value, sbyte Source);

    private sealed record Result(Resource Resource, ErrorCode Error, string? Message, List<Config> Configs);
}
