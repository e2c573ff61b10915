using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OrleansLog.Client;
using OrleansLog.Client.Admin;
using OrleansLog.Groups;

namespace OrleansLog.Web.Api;

/// <summary>
/// Consumer groups: list, describe with members and lag per partition, reset a topic's offsets, delete;
/// and consume through a group: read a topic from the group's committed offsets (the earliest where it
/// has none) and, when asked, commit past what was read. The group must have no active members for that.
/// </summary>
internal static class ConsumerGroupEndpoints
{
    public static void Map(RouteGroupBuilder cluster)
    {
        var groups = cluster.MapGroup("/consumer-groups");
        groups.MapGet("", async (OrleansLogClient client) =>
        {
            var summaries = new List<GroupSummary>();
            foreach (var id in await client.Admin.ListGroupsAsync())
            {
                var description = await client.Grains.GetGrain<IConsumerGroupGrain>(id).Describe();
                summaries.Add(new GroupSummary(id, StateName(description.State), description.Members.Length));
            }

            return TypedResults.Ok(new ListData<GroupSummary>("KafkaConsumerGroupList", summaries));
        });

        var group = groups.MapGroup("/{consumer_group_id}");
        group.MapGet("", async (string consumer_group_id, OrleansLogClient client) => TypedResults.Ok(Describe(await client.Admin.DescribeGroupAsync(consumer_group_id))));
        group.MapGet("/lags", async (string consumer_group_id, OrleansLogClient client) =>
            TypedResults.Ok(new ListData<GroupLagData>("KafkaConsumerLagList", Describe(await client.Admin.DescribeGroupAsync(consumer_group_id)).Lags)));
        group.MapDelete("", async (string consumer_group_id, OrleansLogClient client) =>
        {
            await client.Admin.DeleteGroupAsync(consumer_group_id);
            return Results.NoContent();
        });

        group.MapPost("/offsets:reset", async (string consumer_group_id, HttpRequest request, OrleansLogClient client) =>
        {
            var (body, problem) = await JsonBody.ReadAsync<ResetOffsetsRequest>(request);
            if (problem is not null)
            {
                return problem;
            }

            if (string.IsNullOrEmpty(body!.TopicName))
            {
                return KafkaProblems.Problem(ErrorCode.InvalidRequest, "topic_name is required.");
            }

            OffsetResetSpec? spec = body.To?.ToLowerInvariant() switch
            {
                "earliest" => OffsetResetSpec.Earliest,
                "latest" => OffsetResetSpec.Latest,
                "offset" when body.Offset is >= 0 => OffsetResetSpec.ToOffset(body.Offset.Value),
                "timestamp" when body.Timestamp is >= 0 => OffsetResetSpec.ToTimestamp(body.Timestamp.Value),
                _ => null,
            };
            if (spec is not { } reset)
            {
                return KafkaProblems.Problem(ErrorCode.InvalidRequest, "to must be earliest, latest, offset (with a non-negative offset) or timestamp (with a non-negative timestamp in Unix ms).");
            }

            var offsets = await client.Admin.ResetGroupOffsetsAsync(consumer_group_id, body.TopicName, reset, body.Partitions, body.DryRun);
            return Results.Ok(new ListData<CommittedOffsetData>("KafkaCommittedOffsetList", [.. offsets.Select(o => new CommittedOffsetData(o.Partition.Topic, o.Partition.Partition, o.Offset))]));
        });

        group.MapPost("/topics/{topic_name}/records:consume", async (string consumer_group_id, string topic_name, OrleansLogClient client, TimeProvider time, HttpContext context, int max_count = 100, int timeout_ms = 1000, bool commit = true) =>
        {
            if (RecordEndpoints.CheckReadLimits(max_count, timeout_ms) is { } problem)
            {
                return problem;
            }

            var topic = (await client.Admin.DescribeTopicAsync(topic_name)).Topic;
            var committed = (await client.Grains.GetGrain<IConsumerGroupGrain>(consumer_group_id).FetchOffsets([]))
                .Where(o => o.Partition.Topic == topic_name)
                .ToDictionary(o => o.Partition.Partition, o => o.Offset);
            await using var consumer = RecordEndpoints.NewConsumer(client, consumer_group_id);
            consumer.Assign(Enumerable.Range(0, topic.PartitionCount).Select(p => new TopicPartitionOffset(topic_name, p, committed.TryGetValue(p, out var offset) ? offset : Offsets.Beginning)));
            var records = await RecordEndpoints.ReadAsync(consumer, max_count, timeout_ms, time, context.RequestAborted);
            if (commit && records.Count > 0)
            {
                await consumer.CommitAsync(records.GroupBy(r => r.PartitionId).Select(g => new TopicPartitionOffset(topic_name, g.Key, g.Max(r => r.Offset) + 1)));
            }

            return Results.Ok(new ListData<ConsumedRecord>("KafkaRecordList", records));
        }).AddEndpointFilter(RecordReadLimiter.Filter);
    }

    public static string StateName(GroupState state) => state switch
    {
        GroupState.Rebalancing => "PREPARING_REBALANCE",
        GroupState.CompletingRebalance => "COMPLETING_REBALANCE",
        GroupState.Stable => "STABLE",
        _ => "EMPTY",
    };

    private static GroupData Describe(ConsumerGroupDetails details)
    {
        var group = details.Group;
        var members = group.Members
            .Select(m => new GroupMemberData(m.MemberId, m.ClientId, m.ClientHost, m.Topics, [.. m.Assignment.Select(p => p.DirectoryName)]))
            .ToList();
        var lags = details.Partitions
            .Select(p => new GroupLagData(p.Partition.Topic, p.Partition.Partition, p.CommittedOffset, p.EndOffset, p.Lag, p.MemberId))
            .ToList();
        return new GroupData(group.GroupId, StateName(group.State), group.Generation, group.Assignor, group.ProtocolType, members, lags);
    }
}
