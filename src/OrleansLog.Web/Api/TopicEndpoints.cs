using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using OrleansLog.Client;
using OrleansLog.Metadata;
using OrleansLog.Topics;

namespace OrleansLog.Web.Api;

/// <summary>Topics: list, create, describe (every partition with leader, ISR, offsets and size), grow the partition count, read and alter configs, delete.</summary>
internal static class TopicEndpoints
{
    public static void Map(RouteGroupBuilder cluster)
    {
        var topics = cluster.MapGroup("/topics");
        topics.MapGet("", async (OrleansLogClient client, IOptions<ClusterOptions> ids) =>
            TypedResults.Ok(new ListData<TopicData>("KafkaTopicList", (await client.Admin.ListTopicsAsync()).Select(t => Topic(ids.Value.ClusterId, t)).ToList())));

        topics.MapPost("", async (HttpRequest request, OrleansLogClient client, IOptions<ClusterOptions> ids) =>
        {
            var (body, problem) = await JsonBody.ReadAsync<CreateTopicRequest>(request);
            if (problem is not null)
            {
                return problem;
            }

            if (string.IsNullOrEmpty(body!.TopicName))
            {
                return KafkaProblems.Problem(ErrorCode.InvalidTopicException, "topic_name is required.");
            }

            if (ConfigMap(body.Configs, out var configs) is { } refusal)
            {
                return refusal;
            }

            var created = await client.Admin.CreateTopicAsync(body.TopicName, body.PartitionsCount ?? 1, body.ReplicationFactor ?? -1, configs);
            return Results.Created($"{request.Path}/{created.Name}", Topic(ids.Value.ClusterId, created));
        });

        var topic = topics.MapGroup("/{topic_name}");
        topic.MapGet("", async (string topic_name, OrleansLogClient client, IOptions<ClusterOptions> ids) =>
            TypedResults.Ok(Detailed(ids.Value.ClusterId, await client.Admin.DescribeTopicAsync(topic_name))));

        topic.MapPatch("", async (string topic_name, HttpRequest request, OrleansLogClient client, IOptions<ClusterOptions> ids) =>
        {
            var (body, problem) = await JsonBody.ReadAsync<UpdateTopicRequest>(request);
            if (problem is not null)
            {
                return problem;
            }

            if (body!.PartitionsCount is not { } count)
            {
                return KafkaProblems.Problem(ErrorCode.InvalidPartitions, "partitions_count is required: the new, larger partition count.");
            }

            await client.Admin.CreatePartitionsAsync(topic_name, count);
            return Results.Ok(Detailed(ids.Value.ClusterId, await client.Admin.DescribeTopicAsync(topic_name)));
        });

        topic.MapDelete("", async (string topic_name, OrleansLogClient client) =>
        {
            await client.Admin.DeleteTopicAsync(topic_name);
            return Results.NoContent();
        });

        topic.MapGet("/partitions", async (string topic_name, OrleansLogClient client, IOptions<ClusterOptions> ids) =>
            TypedResults.Ok(new ListData<PartitionData>("KafkaPartitionList", Detailed(ids.Value.ClusterId, await client.Admin.DescribeTopicAsync(topic_name)).Partitions!)));

        topic.MapGet("/configs", async (string topic_name, OrleansLogClient client) =>
        {
            var description = (await client.Admin.DescribeTopicAsync(topic_name)).Topic;
            return TypedResults.Ok(new ListData<TopicConfigData>("KafkaTopicConfigList", Configs(description)));
        });

        topic.MapPost("/configs:alter", async (string topic_name, HttpRequest request, OrleansLogClient client) =>
        {
            var (body, problem) = await JsonBody.ReadAsync<AlterConfigsRequest>(request);
            if (problem is not null)
            {
                return problem;
            }

            if (body!.Data is not { Count: > 0 } changes || changes.Any(c => string.IsNullOrEmpty(c.Name)))
            {
                return KafkaProblems.Problem(ErrorCode.InvalidConfig, "data must list at least one config, each with a name (and a value; null removes the override).");
            }

            var altered = await client.Admin.AlterTopicConfigsAsync(topic_name, changes.ToDictionary(c => c.Name, c => c.Value, StringComparer.Ordinal));
            return Results.Ok(new ListData<TopicConfigData>("KafkaTopicConfigList", Configs(altered)));
        });
    }

    private static IResult? ConfigMap(List<ConfigEntry>? entries, out Dictionary<string, string> configs)
    {
        configs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in entries ?? [])
        {
            if (string.IsNullOrEmpty(entry.Name) || entry.Value is null)
            {
                return KafkaProblems.Problem(ErrorCode.InvalidConfig, "Every config needs a name and a value.");
            }

            configs[entry.Name] = entry.Value;
        }

        return null;
    }

    private static List<TopicConfigData> Configs(TopicDescription topic) =>
        [.. topic.Config.ToDictionary().Select(c => new TopicConfigData(c.Key, c.Value, !topic.ConfigOverrides.ContainsKey(c.Key)))];

    private static TopicData Topic(string clusterId, TopicDescription topic) =>
        new("KafkaTopic", clusterId, topic.Name, topic.TopicId, topic.PartitionCount, topic.ReplicationFactor, false, topic.CreatedAt, topic.ConfigOverrides);

    private static TopicData Detailed(string clusterId, TopicDetails details)
    {
        var partitions = details.Topic.Partitions.Select(p =>
        {
            var state = details.Partitions.FirstOrDefault(s => s.Partition == p.Partition) ?? Partitions.PartitionState.Unavailable(p.Partition);
            return new PartitionData(p.Partition, p.Leader, p.LeaderEpoch, p.Replicas, p.Isr, state.LogStartOffset, state.LogEndOffset, state.HighWatermark, state.SizeInBytes, state.SegmentCount,
                UnderReplicated: p.Isr.Length < p.Replicas.Length, Offline: !p.IsOnline);
        }).ToList();
        return Topic(clusterId, details.Topic) with { Partitions = partitions };
    }
}
