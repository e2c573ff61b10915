using System.Net;
using System.Text.Json;
using Confluent.SchemaRegistry;

namespace OrleansLog.Web.Tests;

/// <summary>
/// The schema registry, driven by Confluent's own client (Confluent.SchemaRegistry) and by raw HTTP:
/// versions and ids, compatibility levels with evolutions accepted and refused, and a topic that requires
/// its values to match: a produce that does not validate is refused, one that does is framed with the schema id.
/// </summary>
public class SchemaRegistryTests(WebBrokerFixture broker) : IClassFixture<WebBrokerFixture>
{
    private const string OrderV1 = """{"type":"object","properties":{"id":{"type":"integer"},"item":{"type":"string"}},"required":["id"]}""";

    private CachedSchemaRegistryClient Client() => new(new SchemaRegistryConfig { Url = $"http://127.0.0.1:{broker.Silo.HttpPort}" });

    [Fact]
    public async Task Confluents_client_registers_versions_and_reads_them_back_by_subject_version_and_id()
    {
        using var registry = Client();
        var id = await registry.RegisterSchemaAsync("reg-orders-value", new Schema(OrderV1, SchemaType.Json));
        var again = await registry.RegisterSchemaAsync("reg-orders-value", new Schema(OrderV1.Replace(",", ", ", StringComparison.Ordinal), SchemaType.Json));
        Assert.Equal(id, again);

        var v2 = OrderV1.Replace("}},\"required\"", "},\"note\":{\"type\":\"string\"}},\"required\"", StringComparison.Ordinal);
        var id2 = await registry.RegisterSchemaAsync("reg-orders-value", new Schema(v2, SchemaType.Json));
        Assert.NotEqual(id, id2);

        var latest = await registry.GetLatestSchemaAsync("reg-orders-value");
        Assert.Equal((2, id2), (latest.Version, latest.Id));
        Assert.Equal(SchemaType.Json, latest.SchemaType);
        Assert.Contains("note", (await registry.GetSchemaAsync(id2)).SchemaString, StringComparison.Ordinal);
        Assert.Equal([1, 2], await registry.GetSubjectVersionsAsync("reg-orders-value"));
        Assert.Contains("reg-orders-value", await registry.GetAllSubjectsAsync());
    }

    public static TheoryData<string, string, string, bool> Evolutions => new()
    {
        // level, the change to OrderV1, and whether the registry accepts it
        { "BACKWARD", """{"type":"object","properties":{"id":{"type":"integer"},"item":{"type":"string"},"qty":{"type":"integer"}},"required":["id"]}""", "an optional field added", true },
        { "BACKWARD", """{"type":"object","properties":{"id":{"type":"integer"},"item":{"type":"string"},"qty":{"type":"integer"}},"required":["id","qty"]}""", "a required field added", false },
        { "BACKWARD", """{"type":"object","properties":{"id":{"type":"string"},"item":{"type":"string"}},"required":["id"]}""", "a field's type changed", false },
        { "BACKWARD", """{"type":"object","properties":{"id":{"type":"number"},"item":{"type":"string"}},"required":["id"]}""", "an integer widened to a number", true },
        { "FORWARD", """{"type":"object","properties":{"id":{"type":"integer"}},"required":["id"]}""", "an optional field dropped", true },
        { "FORWARD", """{"type":"object","properties":{"id":{"type":"number"},"item":{"type":"string"}},"required":["id"]}""", "an integer widened to a number", false },
        { "FULL", """{"type":"object","properties":{"id":{"type":"integer"},"item":{"type":"string"},"qty":{"type":"integer"}},"required":["id"]}""", "an optional field added", true },
        { "FULL", """{"type":"object","properties":{"item":{"type":"string"}}}""", "a required field dropped", false },
        { "NONE", """{"type":"array"}""", "anything", true },
    };

    [Theory]
    [MemberData(nameof(Evolutions))]
    public async Task Each_compatibility_level_accepts_and_refuses_the_evolutions_it_should(string level, string next, string change, bool accepted)
    {
        var subject = $"reg-{level.ToLowerInvariant()}-{Math.Abs(next.GetHashCode(StringComparison.Ordinal))}";
        using var registry = Client();
        await registry.RegisterSchemaAsync(subject, new Schema(OrderV1, SchemaType.Json));
        await registry.UpdateCompatibilityAsync(Enum.Parse<Compatibility>(level, ignoreCase: true), subject);

        Assert.Equal(accepted, await registry.IsCompatibleAsync(subject, new Schema(next, SchemaType.Json)));
        if (accepted)
        {
            Assert.True(await registry.RegisterSchemaAsync(subject, new Schema(next, SchemaType.Json)) > 0, change);
        }
        else
        {
            var refused = await Assert.ThrowsAsync<SchemaRegistryException>(() => registry.RegisterSchemaAsync(subject, new Schema(next, SchemaType.Json)));
            Assert.Equal(HttpStatusCode.Conflict, refused.Status);
            Assert.Equal([1], await registry.GetSubjectVersionsAsync(subject));
        }
    }

    [Fact]
    public async Task A_topic_that_requires_a_schema_refuses_a_value_that_does_not_match_and_frames_one_that_does()
    {
        await broker.Send(HttpMethod.Post, $"{WebBrokerFixture.Cluster}/topics", new { TopicName = "reg-checked", Configs = new[] { new { Name = "confluent.value.schema.validation", Value = "true" } } });
        var unregistered = await broker.Send(HttpMethod.Post, $"{WebBrokerFixture.Cluster}/topics/reg-checked/records", new { Value = new { Data = new { id = 1 } } });
        ProblemAssert.Is(HttpStatusCode.BadRequest, "INVALID_RECORD", unregistered);
        Assert.Contains("reg-checked-value", unregistered.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var registry = Client();
        var id = await registry.RegisterSchemaAsync("reg-checked-value", new Schema(OrderV1, SchemaType.Json));

        var invalid = await broker.Send(HttpMethod.Post, $"{WebBrokerFixture.Cluster}/topics/reg-checked/records", new { Value = new { Data = new { id = "not a number", item = "book" } } });
        ProblemAssert.Is(HttpStatusCode.BadRequest, "INVALID_RECORD", invalid);
        Assert.Contains("does not match schema", invalid.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var valid = await broker.Send(HttpMethod.Post, $"{WebBrokerFixture.Cluster}/topics/reg-checked/records", new { Value = new { Data = new { id = 7, item = "book" } } });
        Assert.Equal(HttpStatusCode.OK, valid.Response.StatusCode);

        using var consumer = broker.Native.CreateConsumer<byte[], byte[]>();
        consumer.Assign([new OrleansLog.Client.TopicPartitionOffset("reg-checked", 0, 0)]);
        var stored = consumer.Consume(TimeSpan.FromSeconds(10))!.Message.Value!;
        Assert.Equal(0, stored[0]);
        Assert.Equal(id, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(stored.AsSpan(1)));
        Assert.Equal(7, JsonDocument.Parse(stored.AsMemory(5)).RootElement.GetProperty("id").GetInt32());
    }

    [Theory]
    [InlineData("/subjects/reg-none/versions", "GET", null, HttpStatusCode.NotFound, 40401)]
    [InlineData("/subjects/reg-orders-value/versions/99", "GET", null, HttpStatusCode.NotFound, 40402)]
    [InlineData("/subjects/reg-orders-value/versions/zero", "GET", null, HttpStatusCode.UnprocessableEntity, 42202)]
    [InlineData("/schemas/ids/9999", "GET", null, HttpStatusCode.NotFound, 40403)]
    [InlineData("/subjects/reg-bad/versions", "POST", """{"schema":"{not json","schemaType":"JSON"}""", HttpStatusCode.UnprocessableEntity, 42201)]
    [InlineData("/subjects/reg-bad/versions", "POST", """{"schema":"{\"type\":\"record\"}"}""", HttpStatusCode.UnprocessableEntity, 42201)]
    [InlineData("/subjects/reg-bad/versions", "POST", """{"schema":"syntax = \"proto3\";","schemaType":"PROTOBUF"}""", HttpStatusCode.UnprocessableEntity, 42201)]
    [InlineData("/subjects/reg-bad/versions", "POST", """{"schemaType":"JSON"}""", HttpStatusCode.UnprocessableEntity, 42201)]
    [InlineData("/config", "PUT", """{"compatibility":"SOMETIMES"}""", HttpStatusCode.UnprocessableEntity, 42203)]
    public async Task Bad_registry_requests_get_Confluents_error_codes_in_a_problem(string path, string method, string? body, HttpStatusCode status, int errorCode)
    {
        using (var registry = Client())
        {
            await registry.RegisterSchemaAsync("reg-orders-value", new Schema(OrderV1, SchemaType.Json));
        }

        var answer = await broker.Send(new HttpMethod(method), path, rawBody: body);

        Assert.Equal(status, answer.Response.StatusCode);
        Assert.Equal("application/problem+json", answer.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(errorCode, answer.Body.GetProperty("error_code").GetInt32());
        Assert.False(string.IsNullOrEmpty(answer.Body.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task A_schema_is_looked_up_in_its_subject_and_its_text_and_the_subjects_level_are_read()
    {
        using var registry = Client();
        var id = await registry.RegisterSchemaAsync("reg-lookup", new Schema(OrderV1, SchemaType.Json));
        await registry.UpdateCompatibilityAsync(Compatibility.Full, "reg-lookup");

        var found = await broker.Send(HttpMethod.Post, "/subjects/reg-lookup", new Dictionary<string, string> { ["schema"] = OrderV1, ["schemaType"] = "JSON" });
        Assert.Equal((1, id), (found.Body.GetProperty("version").GetInt32(), found.Body.GetProperty("id").GetInt32()));
        var text = await broker.Send(HttpMethod.Get, "/subjects/reg-lookup/versions/latest/schema");
        Assert.Equal("object", text.Body.GetProperty("type").GetString());
        var level = await broker.Send(HttpMethod.Get, "/config/reg-lookup");
        Assert.Equal("FULL", level.Body.GetProperty("compatibilityLevel").GetString());
        var unknown = await broker.Send(HttpMethod.Post, "/subjects/reg-lookup", new Dictionary<string, string> { ["schema"] = """{"type":"string"}""", ["schemaType"] = "JSON" });
        Assert.Equal(40403, unknown.Body.GetProperty("error_code").GetInt32());
    }

    [Fact]
    public async Task Avro_schemas_evolve_by_Avros_own_resolution_rules()
    {
        const string v1 = """{"type":"record","name":"Order","fields":[{"name":"id","type":"long"}]}""";
        const string withDefault = """{"type":"record","name":"Order","fields":[{"name":"id","type":"long"},{"name":"note","type":"string","default":""}]}""";
        const string withoutDefault = """{"type":"record","name":"Order","fields":[{"name":"id","type":"long"},{"name":"qty","type":"int"}]}""";
        using var registry = Client();
        var first = await registry.RegisterSchemaAsync("reg-avro-value", new Schema(v1, SchemaType.Avro));

        Assert.True(await registry.RegisterSchemaAsync("reg-avro-value", new Schema(withDefault, SchemaType.Avro)) > first);
        var refused = await Assert.ThrowsAsync<SchemaRegistryException>(() => registry.RegisterSchemaAsync("reg-avro-value", new Schema(withoutDefault, SchemaType.Avro)));
        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Equal(SchemaType.Avro, (await registry.GetLatestSchemaAsync("reg-avro-value")).SchemaType);
        var mixed = await Assert.ThrowsAsync<SchemaRegistryException>(() => registry.RegisterSchemaAsync("reg-avro-value", new Schema(OrderV1, SchemaType.Json)));
        Assert.Equal(HttpStatusCode.Conflict, mixed.Status);
    }

    [Fact]
    public async Task The_global_level_is_read_and_set_and_a_deleted_subject_is_gone()
    {
        using var registry = Client();
        Assert.Equal(Compatibility.Backward, await registry.GetCompatibilityAsync());
        await registry.RegisterSchemaAsync("reg-deleted", new Schema(OrderV1, SchemaType.Json));

        var deleted = await broker.Send(HttpMethod.Delete, "/subjects/reg-deleted");
        Assert.Equal([1], deleted.Body.EnumerateArray().Select(v => v.GetInt32()));
        Assert.DoesNotContain("reg-deleted", await registry.GetAllSubjectsAsync());
    }
}
