using System.Net;

namespace OrleansLog.Web.Tests;

/// <summary>Consumer groups through the REST API: consume with commit, lag, reset, describe, delete, and the refusals.</summary>
public class ConsumerGroupApiTests(WebBrokerFixture broker) : IClassFixture<WebBrokerFixture>
{
    private const string Topics = $"{WebBrokerFixture.Cluster}/topics";

    private const string Groups = $"{WebBrokerFixture.Cluster}/consumer-groups";

    [Fact]
    public async Task Consuming_through_a_group_commits_and_the_lag_follows_what_is_produced_and_reset()
    {
        await broker.Send(HttpMethod.Post, Topics, new { TopicName = "api-lag", PartitionsCount = 2 });
        await Produce("api-lag", 0, 3);
        await Produce("api-lag", 1, 2);

        var first = await broker.Send(HttpMethod.Post, $"{Groups}/api-readers/topics/api-lag/records:consume?max_count=100");
        Assert.Equal(5, first.Body.GetProperty("data").GetArrayLength());
        var again = await broker.Send(HttpMethod.Post, $"{Groups}/api-readers/topics/api-lag/records:consume?timeout_ms=200");
        Assert.Equal(0, again.Body.GetProperty("data").GetArrayLength());

        await Produce("api-lag", 0, 4);
        var lags = await broker.Send(HttpMethod.Get, $"{Groups}/api-readers/lags");
        Assert.Equal([(0, 4L), (1, 0L)], lags.Body.GetProperty("data").EnumerateArray().Select(l => (l.GetProperty("partition_id").GetInt32(), l.GetProperty("lag").GetInt64())));

        var reset = await broker.Send(HttpMethod.Post, $"{Groups}/api-readers/offsets:reset", new { TopicName = "api-lag", To = "earliest" });
        Assert.Equal(HttpStatusCode.OK, reset.Response.StatusCode);
        var described = await broker.Send(HttpMethod.Get, $"{Groups}/api-readers");
        Assert.Equal("EMPTY", described.Body.GetProperty("state").GetString());
        Assert.Equal(9, described.Body.GetProperty("lags").EnumerateArray().Sum(l => l.GetProperty("lag").GetInt64()));

        var listed = await broker.Send(HttpMethod.Get, Groups);
        Assert.Contains(listed.Body.GetProperty("data").EnumerateArray(), g => g.GetProperty("consumer_group_id").GetString() == "api-readers");

        Assert.Equal(HttpStatusCode.NoContent, (await broker.Send(HttpMethod.Delete, $"{Groups}/api-readers")).Response.StatusCode);
        ProblemAssert.Is(HttpStatusCode.NotFound, "GROUP_ID_NOT_FOUND", await broker.Send(HttpMethod.Get, $"{Groups}/api-readers"));
    }

    [Fact]
    public async Task A_group_with_a_live_member_shows_it_and_refuses_deletion_and_reset()
    {
        await broker.Send(HttpMethod.Post, Topics, new { TopicName = "api-live" });
        using var consumer = broker.Native.CreateConsumer<string, string>(new OrleansLog.Client.Consuming.ConsumerConfig { GroupId = "api-live-group", SessionTimeout = TimeSpan.FromSeconds(6) });
        consumer.Subscribe("api-live");
        consumer.Consume(TimeSpan.FromSeconds(2));

        var described = await broker.Send(HttpMethod.Get, $"{Groups}/api-live-group");
        var member = Assert.Single(described.Body.GetProperty("members").EnumerateArray());
        Assert.Equal(["api-live-0"], member.GetProperty("assignments").EnumerateArray().Select(a => a.GetString()));

        ProblemAssert.Is(HttpStatusCode.Conflict, "NON_EMPTY_GROUP", await broker.Send(HttpMethod.Delete, $"{Groups}/api-live-group"));
        ProblemAssert.Is(HttpStatusCode.Conflict, "NON_EMPTY_GROUP", await broker.Send(HttpMethod.Post, $"{Groups}/api-live-group/offsets:reset", new { TopicName = "api-live", To = "latest" }));
    }

    [Theory]
    [InlineData("""{"to":"earliest"}""")]
    [InlineData("""{"topic_name":"api-reset","to":"yesterday"}""")]
    [InlineData("""{"topic_name":"api-reset","to":"offset"}""")]
    [InlineData("""{"topic_name":"api-reset","to":"timestamp","timestamp":-5}""")]
    public async Task A_reset_without_a_topic_or_a_known_position_is_refused(string body)
    {
        await broker.Send(HttpMethod.Post, Topics, new { TopicName = "api-reset" });

        ProblemAssert.Is(HttpStatusCode.BadRequest, "INVALID_REQUEST", await broker.Send(HttpMethod.Post, $"{Groups}/api-reset-group/offsets:reset", rawBody: body));
    }

    [Fact]
    public async Task Consuming_a_missing_topic_through_a_group_is_not_found() =>
        ProblemAssert.Is(HttpStatusCode.NotFound, "UNKNOWN_TOPIC_OR_PARTITION", await broker.Send(HttpMethod.Post, $"{Groups}/g/topics/api-nowhere/records:consume"));

    [Fact]
    public async Task Deleting_an_unknown_group_is_not_found() =>
        ProblemAssert.Is(HttpStatusCode.NotFound, "GROUP_ID_NOT_FOUND", await broker.Send(HttpMethod.Delete, $"{Groups}/api-never"));

    private async Task Produce(string topic, int partition, int count)
    {
        var produced = await broker.Send(HttpMethod.Post, $"{Topics}/{topic}/records", Enumerable.Range(0, count).Select(i => new { PartitionId = partition, Value = new { Data = i } }).ToArray());
        Assert.Equal(HttpStatusCode.OK, produced.Response.StatusCode);
    }
}
