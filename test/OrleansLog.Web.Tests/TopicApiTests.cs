using System.Net;

namespace OrleansLog.Web.Tests;

/// <summary>The topics part of the REST API, co-hosted by a broker process: each operation, and each refusal as problem+json.</summary>
public class TopicApiTests(WebBrokerFixture broker) : IClassFixture<WebBrokerFixture>
{
    private const string Topics = $"{WebBrokerFixture.Cluster}/topics";

    [Fact]
    public async Task A_topic_is_created_listed_described_with_its_partitions_grown_and_deleted()
    {
        var created = await broker.Send(HttpMethod.Post, Topics, new { TopicName = "api-orders", PartitionsCount = 3, Configs = new[] { new { Name = "retention.ms", Value = "3600000" } } });
        Assert.Equal(HttpStatusCode.Created, created.Response.StatusCode);
        Assert.EndsWith("/topics/api-orders", created.Response.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Equal(3, created.Body.GetProperty("partitions_count").GetInt32());

        var listed = await broker.Send(HttpMethod.Get, Topics);
        Assert.Contains(listed.Body.GetProperty("data").EnumerateArray(), t => t.GetProperty("topic_name").GetString() == "api-orders");

        var described = await broker.Send(HttpMethod.Get, $"{Topics}/api-orders");
        var partitions = described.Body.GetProperty("partitions").EnumerateArray().ToList();
        Assert.Equal([0, 1, 2], partitions.Select(p => p.GetProperty("partition_id").GetInt32()));
        Assert.All(partitions, p =>
        {
            Assert.Equal(0, p.GetProperty("leader").GetInt32());
            Assert.Equal([0], p.GetProperty("isr").EnumerateArray().Select(i => i.GetInt32()));
            Assert.Equal(0, p.GetProperty("high_watermark").GetInt64());
            Assert.False(p.GetProperty("under_replicated").GetBoolean());
        });

        var grown = await broker.Send(HttpMethod.Patch, $"{Topics}/api-orders", new { PartitionsCount = 5 });
        Assert.Equal(HttpStatusCode.OK, grown.Response.StatusCode);
        Assert.Equal(5, grown.Body.GetProperty("partitions").GetArrayLength());
        Assert.Equal(5, (await broker.Send(HttpMethod.Get, $"{Topics}/api-orders/partitions")).Body.GetProperty("data").GetArrayLength());

        Assert.Equal(HttpStatusCode.NoContent, (await broker.Send(HttpMethod.Delete, $"{Topics}/api-orders")).Response.StatusCode);
        ProblemAssert.Is(HttpStatusCode.NotFound, "UNKNOWN_TOPIC_OR_PARTITION", await broker.Send(HttpMethod.Get, $"{Topics}/api-orders"));
    }

    [Fact]
    public async Task Configs_show_overrides_and_defaults_and_are_altered_and_removed()
    {
        await broker.Send(HttpMethod.Post, Topics, new { TopicName = "api-configs" });

        var altered = await broker.Send(HttpMethod.Post, $"{Topics}/api-configs/configs:alter", new { Data = new[] { new { Name = "retention.ms", Value = "1000" } } });
        Assert.Equal(HttpStatusCode.OK, altered.Response.StatusCode);
        var retention = altered.Body.GetProperty("data").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "retention.ms");
        Assert.Equal("1000", retention.GetProperty("value").GetString());
        Assert.False(retention.GetProperty("is_default").GetBoolean());

        await broker.Send(HttpMethod.Post, $"{Topics}/api-configs/configs:alter", new { Data = new[] { new { Name = "retention.ms", Value = (string?)null } } });
        var configs = await broker.Send(HttpMethod.Get, $"{Topics}/api-configs/configs");
        Assert.True(configs.Body.GetProperty("data").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "retention.ms").GetProperty("is_default").GetBoolean());
    }

    public static TheoryData<string, object, HttpStatusCode, string> InvalidCreates => new()
    {
        { "an invalid name", new { TopicName = "bad name!" }, HttpStatusCode.BadRequest, "INVALID_TOPIC_EXCEPTION" },
        { "no name", new { PartitionsCount = 1 }, HttpStatusCode.BadRequest, "INVALID_TOPIC_EXCEPTION" },
        { "no partitions", new { TopicName = "api-zero", PartitionsCount = 0 }, HttpStatusCode.BadRequest, "INVALID_PARTITIONS" },
        { "more replicas than brokers", new { TopicName = "api-rf", ReplicationFactor = 3 }, HttpStatusCode.BadRequest, "INVALID_REPLICATION_FACTOR" },
        { "an unknown config", new { TopicName = "api-cfg", Configs = new[] { new { Name = "no.such", Value = "1" } } }, HttpStatusCode.BadRequest, "INVALID_CONFIG" },
        { "a config without a value", new { TopicName = "api-cfg2", Configs = new[] { new { Name = "retention.ms", Value = (string?)null } } }, HttpStatusCode.BadRequest, "INVALID_CONFIG" },
    };

    [Theory]
    [MemberData(nameof(InvalidCreates))]
    public async Task A_create_with_bad_input_is_refused_with_a_specific_problem(string why, object body, HttpStatusCode status, string error)
    {
        Assert.NotEmpty(why);
        ProblemAssert.Is(status, error, await broker.Send(HttpMethod.Post, Topics, body));
    }

    [Fact]
    public async Task Creating_a_topic_twice_is_a_conflict()
    {
        await broker.Send(HttpMethod.Post, Topics, new { TopicName = "api-twice" });

        ProblemAssert.Is(HttpStatusCode.Conflict, "TOPIC_ALREADY_EXISTS", await broker.Send(HttpMethod.Post, Topics, new { TopicName = "api-twice" }));
    }

    [Theory]
    [InlineData("{\"topic_name\": ")]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[1, 2]")]
    public async Task A_body_that_is_not_the_expected_JSON_is_an_invalid_request(string raw) =>
        ProblemAssert.Is(HttpStatusCode.BadRequest, "INVALID_REQUEST", await broker.Send(HttpMethod.Post, Topics, rawBody: raw));

    [Fact]
    public async Task Growing_to_fewer_partitions_or_without_a_count_is_refused()
    {
        await broker.Send(HttpMethod.Post, Topics, new { TopicName = "api-grow", PartitionsCount = 2 });

        ProblemAssert.Is(HttpStatusCode.BadRequest, "INVALID_PARTITIONS", await broker.Send(HttpMethod.Patch, $"{Topics}/api-grow", new { PartitionsCount = 1 }));
        ProblemAssert.Is(HttpStatusCode.BadRequest, "INVALID_PARTITIONS", await broker.Send(HttpMethod.Patch, $"{Topics}/api-grow", new { }));
    }

    [Fact]
    public async Task Altering_an_unknown_config_or_nothing_is_refused()
    {
        await broker.Send(HttpMethod.Post, Topics, new { TopicName = "api-alter" });

        ProblemAssert.Is(HttpStatusCode.BadRequest, "INVALID_CONFIG", await broker.Send(HttpMethod.Post, $"{Topics}/api-alter/configs:alter", new { Data = new[] { new { Name = "no.such", Value = "1" } } }));
        ProblemAssert.Is(HttpStatusCode.BadRequest, "INVALID_CONFIG", await broker.Send(HttpMethod.Post, $"{Topics}/api-alter/configs:alter", new { Data = Array.Empty<object>() }));
    }

    [Fact]
    public async Task Deleting_an_unknown_topic_is_not_found() =>
        ProblemAssert.Is(HttpStatusCode.NotFound, "UNKNOWN_TOPIC_OR_PARTITION", await broker.Send(HttpMethod.Delete, $"{Topics}/api-never"));

    [Fact]
    public async Task Another_clusters_id_in_the_path_is_not_found() =>
        ProblemAssert.Is(HttpStatusCode.NotFound, "RESOURCE_NOT_FOUND", await broker.Send(HttpMethod.Get, "/v3/clusters/elsewhere/topics"));

    [Fact]
    public async Task The_cluster_and_its_brokers_are_described()
    {
        var clusters = await broker.Send(HttpMethod.Get, "/v3/clusters");
        var cluster = Assert.Single(clusters.Body.GetProperty("data").EnumerateArray());
        Assert.Equal("orleanslog", cluster.GetProperty("cluster_id").GetString());
        Assert.Equal(0, cluster.GetProperty("controller_id").GetInt32());

        var brokers = await broker.Send(HttpMethod.Get, $"{WebBrokerFixture.Cluster}/brokers");
        var only = Assert.Single(brokers.Body.GetProperty("data").EnumerateArray());
        Assert.Equal(0, only.GetProperty("broker_id").GetInt32());
        Assert.Equal("127.0.0.1", only.GetProperty("host").GetString());
        Assert.Equal(broker.Silo.KafkaPort, only.GetProperty("port").GetInt32());
        Assert.True(only.GetProperty("is_alive").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, (await broker.Send(HttpMethod.Get, $"{WebBrokerFixture.Cluster}/brokers/0")).Response.StatusCode);
        ProblemAssert.Is(HttpStatusCode.NotFound, "RESOURCE_NOT_FOUND", await broker.Send(HttpMethod.Get, $"{WebBrokerFixture.Cluster}/brokers/7"));
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_API()
    {
        var document = await broker.Send(HttpMethod.Get, "/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, document.Response.StatusCode);
        var paths = document.Body.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/v3/clusters/{cluster_id}/topics", paths);
        Assert.Contains("/v3/clusters/{cluster_id}/topics/{topic_name}/records", paths);
        Assert.Contains("/v3/clusters/{cluster_id}/consumer-groups/{consumer_group_id}/lags", paths);
    }
}
