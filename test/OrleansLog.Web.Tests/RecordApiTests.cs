using System.Net;
using System.Text.Json;

namespace OrleansLog.Web.Tests;

/// <summary>Producing and reading records through the REST API: JSON, STRING and BINARY payloads, headers, batches, partitions, and every refusal.</summary>
public class RecordApiTests(WebBrokerFixture broker) : IClassFixture<WebBrokerFixture>
{
    private const string Topics = $"{WebBrokerFixture.Cluster}/topics";

    [Fact]
    public async Task A_batch_is_answered_with_each_records_partition_and_offset_and_reads_back_as_sent()
    {
        await broker.Send(HttpMethod.Post, Topics, new { TopicName = "api-records", PartitionsCount = 2 });
        var records = new object[]
        {
            new { PartitionId = 1, Key = new { Type = "STRING", Data = "order-1" }, Value = new { Type = "JSON", Data = new { amount = 12.5, items = new[] { "a", "b" } } } },
            new { PartitionId = 1, Value = new { Type = "BINARY", Data = Convert.ToBase64String([0, 1, 2, 255]) }, Headers = new[] { new { Name = "trace", Value = Convert.ToBase64String("abc"u8.ToArray()) } } },
            new { PartitionId = 1, Value = new { Type = "STRING", Data = "plain text" } },
        };

        var produced = await broker.Send(HttpMethod.Post, $"{Topics}/api-records/records", records);

        Assert.Equal(HttpStatusCode.OK, produced.Response.StatusCode);
        var results = produced.Body.EnumerateArray().ToList();
        Assert.Equal([0L, 1L, 2L], results.Select(r => r.GetProperty("offset").GetInt64()));
        Assert.All(results, r => Assert.Equal(200, r.GetProperty("error_code").GetInt32()));
        Assert.All(results, r => Assert.Equal(1, r.GetProperty("partition_id").GetInt32()));

        var read = await broker.Send(HttpMethod.Get, $"{Topics}/api-records/partitions/1/records?offset=0&max_count=10");
        var back = read.Body.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(3, back.Count);
        Assert.Equal("order-1", back[0].GetProperty("key").GetProperty("data").GetString());
        Assert.Equal("JSON", back[0].GetProperty("value").GetProperty("type").GetString());
        Assert.Equal(12.5, back[0].GetProperty("value").GetProperty("data").GetProperty("amount").GetDouble());
        Assert.Equal("BINARY", back[1].GetProperty("value").GetProperty("type").GetString());
        Assert.Equal([0, 1, 2, 255], Convert.FromBase64String(back[1].GetProperty("value").GetProperty("data").GetString()!));
        Assert.Equal("abc"u8.ToArray(), Convert.FromBase64String(back[1].GetProperty("headers")[0].GetProperty("value").GetString()!));
        Assert.Equal(("STRING", "plain text"), (back[2].GetProperty("value").GetProperty("type").GetString(), back[2].GetProperty("value").GetProperty("data").GetString()));

        var fromOffset = await broker.Send(HttpMethod.Get, $"{Topics}/api-records/partitions/1/records?offset=2");
        Assert.Equal(2, Assert.Single(fromOffset.Body.GetProperty("data").EnumerateArray()).GetProperty("offset").GetInt64());
    }

    [Fact]
    public async Task A_single_record_is_answered_with_its_offset_and_a_native_consumer_reads_it()
    {
        await broker.Send(HttpMethod.Post, Topics, new { TopicName = "api-single" });

        var produced = await broker.Send(HttpMethod.Post, $"{Topics}/api-single/records", new { Key = new { Data = "k" }, Value = new { Data = new { hello = "world" } } });

        Assert.Equal(HttpStatusCode.OK, produced.Response.StatusCode);
        Assert.Equal(0, produced.Body.GetProperty("offset").GetInt64());
        using var consumer = broker.Native.CreateConsumer<string, string>();
        consumer.Assign([new OrleansLog.Client.TopicPartitionOffset("api-single", 0, 0)]);
        var record = consumer.Consume(TimeSpan.FromSeconds(10))!;
        Assert.Equal(("\"k\"", "{\"hello\":\"world\"}"), (record.Message.Key, record.Message.Value));
    }

    public static TheoryData<string, string> InvalidRecords => new()
    {
        { "BINARY that is not base64", """{"value":{"type":"BINARY","data":"not base64!"}}""" },
        { "an unknown type", """{"value":{"type":"AVRO","data":"x"}}""" },
        { "STRING data that is not a string", """{"value":{"type":"STRING","data":{"a":1}}}""" },
        { "a header without a name", """{"value":{"data":1},"headers":[{"name":"","value":"YQ=="}]}""" },
        { "a header that is not base64", """{"value":{"data":1},"headers":[{"name":"h","value":"%%"}]}""" },
        { "a negative partition", """{"partition_id":-1,"value":{"data":1}}""" },
        { "a bad record in a batch", """[{"value":{"data":1}},{"value":{"type":"BINARY","data":"@@"}}]""" },
    };

    [Theory]
    [MemberData(nameof(InvalidRecords))]
    public async Task An_invalid_record_is_refused_and_nothing_of_its_request_is_stored(string why, string body)
    {
        Assert.NotEmpty(why);
        var topic = $"api-invalid-{Math.Abs(body.GetHashCode(StringComparison.Ordinal))}";
        await broker.Send(HttpMethod.Post, Topics, new { TopicName = topic });

        ProblemAssert.Is(HttpStatusCode.BadRequest, "INVALID_RECORD", await broker.Send(HttpMethod.Post, $"{Topics}/{topic}/records", rawBody: body));

        var described = await broker.Send(HttpMethod.Get, $"{Topics}/{topic}");
        Assert.Equal(0, described.Body.GetProperty("partitions")[0].GetProperty("log_end_offset").GetInt64());
    }

    [Fact]
    public async Task An_empty_batch_is_an_invalid_request() =>
        ProblemAssert.Is(HttpStatusCode.BadRequest, "INVALID_REQUEST", await broker.Send(HttpMethod.Post, $"{Topics}/api-any/records", rawBody: "[]"));

    [Fact]
    public async Task Producing_to_a_missing_topic_or_partition_is_not_found()
    {
        await broker.Send(HttpMethod.Post, Topics, new { TopicName = "api-two", PartitionsCount = 2 });

        ProblemAssert.Is(HttpStatusCode.NotFound, "UNKNOWN_TOPIC_OR_PARTITION", await broker.Send(HttpMethod.Post, $"{Topics}/api-two/records", new { PartitionId = 7, Value = new { Data = 1 } }));
        ProblemAssert.Is(HttpStatusCode.NotFound, "UNKNOWN_TOPIC_OR_PARTITION", await broker.Send(HttpMethod.Post, $"{Topics}/api-missing/records", new { Value = new { Data = 1 } }));
    }

    [Theory]
    [InlineData("offset=0&max_count=0", "INVALID_REQUEST")]
    [InlineData("offset=0&max_count=1001", "INVALID_REQUEST")]
    [InlineData("offset=0&timeout_ms=-1", "INVALID_REQUEST")]
    [InlineData("offset=-3", "OFFSET_OUT_OF_RANGE")]
    public async Task A_read_outside_the_limits_is_refused(string query, string error)
    {
        await broker.Send(HttpMethod.Post, Topics, new { TopicName = "api-limits" });

        ProblemAssert.Is(HttpStatusCode.BadRequest, error, await broker.Send(HttpMethod.Get, $"{Topics}/api-limits/partitions/0/records?{query}"));
    }

    [Fact]
    public async Task Reading_past_the_end_returns_no_records()
    {
        await broker.Send(HttpMethod.Post, Topics, new { TopicName = "api-end" });

        var read = await broker.Send(HttpMethod.Get, $"{Topics}/api-end/partitions/0/records?offset=0&timeout_ms=200");

        Assert.Equal(HttpStatusCode.OK, read.Response.StatusCode);
        Assert.Equal(0, read.Body.GetProperty("data").GetArrayLength());
    }
}
