using System.Text.Json;
using Confluent.Kafka;
using OrleansLog.Testing;

namespace OrleansLog.Connect.Tests;

/// <summary>Kafka Connect's REST API on a broker process: paths, bodies, status codes, validation, lifecycle and the dead-letter topic.</summary>
public sealed class ConnectRestApiTests(ConnectRestApiTests.Broker fixture) : IClassFixture<ConnectRestApiTests.Broker>
{
    private ConnectBroker Api => fixture.Connect;

    [Fact]
    public async Task Plugins_are_listed_and_a_bad_config_gets_every_error_on_its_field()
    {
        var (status, plugins) = await Api.Send(HttpMethod.Get, "/connector-plugins");
        Assert.Equal(200, status);
        Assert.Contains(plugins.EnumerateArray(), p => p.GetProperty("class").GetString() == "org.apache.kafka.connect.file.FileStreamSinkConnector" && p.GetProperty("type").GetString() == "sink");

        var (validated, body) = await Api.Send(HttpMethod.Put, "/connector-plugins/FileStreamSinkConnector/config/validate",
            new Dictionary<string, string> { ["tasks.max"] = "0", ["file"] = "/etc/shadow", ["topics"] = "a", ["topics.regex"] = "b.*" });

        Assert.Equal(200, validated);
        Assert.Equal("org.apache.kafka.connect.file.FileStreamSinkConnector", body.GetProperty("name").GetString());
        var errors = body.GetProperty("configs").EnumerateArray()
            .ToDictionary(c => c.GetProperty("value").GetProperty("name").GetString()!, c => c.GetProperty("value").GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList());
        Assert.Contains(errors["tasks.max"], e => e.Contains("between 1 and", StringComparison.Ordinal));
        Assert.Contains(errors["name"], e => e.StartsWith("Missing required configuration", StringComparison.Ordinal));
        Assert.Equal(body.GetProperty("error_count").GetInt32(), errors.Values.Sum(e => e.Count));
        var definition = body.GetProperty("configs").EnumerateArray().First(c => c.GetProperty("definition").GetProperty("name").GetString() == "tasks.max").GetProperty("definition");
        Assert.Equal("INT", definition.GetProperty("type").GetString());
        Assert.Equal("1", definition.GetProperty("default_value").GetString());

        var (unknown, _) = await Api.Send(HttpMethod.Put, "/connector-plugins/com.example.Nope/config/validate", new Dictionary<string, string>());
        Assert.Equal(404, unknown);
    }

    [Fact]
    public async Task Creating_a_bad_connector_is_refused_400_naming_each_field_and_nothing_is_created()
    {
        var (status, body) = await Api.Send(HttpMethod.Post, "/connectors", new { name = "bad", config = new Dictionary<string, string> { ["connector.class"] = "FileStreamSource", ["tasks.max"] = "x" } });

        Assert.Equal(400, status);
        Assert.Equal(400, body.GetProperty("error_code").GetInt32());
        var message = body.GetProperty("message").GetString()!;
        Assert.Contains("tasks.max:", message, StringComparison.Ordinal);
        Assert.Contains("file: Missing required configuration", message, StringComparison.Ordinal);
        Assert.Contains("topic: Missing required configuration", message, StringComparison.Ordinal);
        Assert.Equal(404, (await Api.Send(HttpMethod.Get, "/connectors/bad")).Status);

        Assert.Equal(400, (await Api.Send(HttpMethod.Post, "/connectors", new { name = "x", config = new { file = new { nested = 1 } } })).Status);
        Assert.Equal(400, (await Api.Send(HttpMethod.Post, "/connectors", new { config = new Dictionary<string, string>() })).Status);
        Assert.Equal(400, (await Api.Send(HttpMethod.Post, "/connectors", new { name = "unknown-class", config = new Dictionary<string, string> { ["connector.class"] = "Nope" } })).Status);
        Assert.Equal(400, (await Api.Send(HttpMethod.Put, "/connectors/a-name/config", new Dictionary<string, string> { ["name"] = "another" })).Status);
    }

    [Fact]
    public async Task A_connectors_lifecycle_create_read_pause_resume_stop_restart_delete()
    {
        var file = Path.Combine(Api.Files, "lifecycle.txt");
        await File.WriteAllTextAsync(file, "a\n");
        var config = new Dictionary<string, string> { ["connector.class"] = "FileStreamSource", ["file"] = file, ["topic"] = "lifecycle" };
        await Api.CreateAsync("lifecycle", config);

        Assert.Equal(409, (await Api.Send(HttpMethod.Post, "/connectors", new { name = "lifecycle", config })).Status);
        var (_, info) = await Api.Send(HttpMethod.Get, "/connectors/lifecycle");
        Assert.Equal("lifecycle", info.GetProperty("config").GetProperty("name").GetString());
        Assert.Equal(0, info.GetProperty("tasks")[0].GetProperty("task").GetInt32());
        var (_, tasks) = await Api.Send(HttpMethod.Get, "/connectors/lifecycle/tasks");
        Assert.Equal(file, tasks[0].GetProperty("config").GetProperty("file").GetString());
        var (_, names) = await Api.Send(HttpMethod.Get, "/connectors");
        Assert.Contains("lifecycle", names.EnumerateArray().Select(n => n.GetString()));
        var (_, expanded) = await Api.Send(HttpMethod.Get, "/connectors?expand=status&expand=info");
        Assert.Equal("source", expanded.GetProperty("lifecycle").GetProperty("info").GetProperty("type").GetString());
        await Api.WaitForTasks("lifecycle", "RUNNING");
        var (taskStatus, task) = await Api.Send(HttpMethod.Get, "/connectors/lifecycle/tasks/0/status");
        Assert.Equal((200, "RUNNING"), (taskStatus, task.GetProperty("state").GetString()));
        Assert.Equal(404, (await Api.Send(HttpMethod.Get, "/connectors/lifecycle/tasks/5/status")).Status);

        Assert.Equal(202, (await Api.Send(HttpMethod.Put, "/connectors/lifecycle/pause")).Status);
        await Api.WaitForTasks("lifecycle", "PAUSED");
        Assert.Equal("PAUSED", (await Api.Send(HttpMethod.Get, "/connectors/lifecycle/status")).Body.GetProperty("connector").GetProperty("state").GetString());
        Assert.Equal(202, (await Api.Send(HttpMethod.Put, "/connectors/lifecycle/resume")).Status);
        await Api.WaitForTasks("lifecycle", "RUNNING");

        Assert.Equal(204, (await Api.Send(HttpMethod.Put, "/connectors/lifecycle/stop")).Status);
        var (_, stopped) = await Api.Send(HttpMethod.Get, "/connectors/lifecycle/status");
        Assert.Equal("STOPPED", stopped.GetProperty("connector").GetProperty("state").GetString());
        Assert.Equal(0, stopped.GetProperty("tasks").GetArrayLength());
        Assert.Equal(202, (await Api.Send(HttpMethod.Put, "/connectors/lifecycle/resume")).Status);
        await Api.WaitForTasks("lifecycle", "RUNNING");

        Assert.Equal(204, (await Api.Send(HttpMethod.Post, "/connectors/lifecycle/restart")).Status);
        var (restarted, restartStatus) = await Api.Send(HttpMethod.Post, "/connectors/lifecycle/restart?includeTasks=true");
        Assert.Equal(202, restarted);
        Assert.Equal("lifecycle", restartStatus.GetProperty("name").GetString());
        Assert.Equal(204, (await Api.Send(HttpMethod.Post, "/connectors/lifecycle/tasks/0/restart")).Status);
        await Api.WaitForTasks("lifecycle", "RUNNING");

        config["topic"] = "lifecycle-2";
        var (updated, updatedInfo) = await Api.Send(HttpMethod.Put, "/connectors/lifecycle/config", config);
        Assert.Equal(200, updated);
        Assert.Equal("lifecycle-2", updatedInfo.GetProperty("config").GetProperty("topic").GetString());
        Assert.Equal("lifecycle-2", (await Api.Send(HttpMethod.Get, "/connectors/lifecycle/config")).Body.GetProperty("topic").GetString());

        Assert.Equal(204, (await Api.Send(HttpMethod.Delete, "/connectors/lifecycle")).Status);
        var (gone, goneBody) = await Api.Send(HttpMethod.Get, "/connectors/lifecycle");
        Assert.Equal((404, "Connector lifecycle not found"), (gone, goneBody.GetProperty("message").GetString()));
        Assert.Equal(404, (await Api.Send(HttpMethod.Delete, "/connectors/lifecycle")).Status);
        Assert.Equal(404, (await Api.Send(HttpMethod.Put, "/connectors/lifecycle/pause")).Status);
    }

    [Fact]
    public async Task PUT_config_creates_a_connector_with_201_and_then_updates_it_with_200()
    {
        var config = new Dictionary<string, string> { ["connector.class"] = "FileStreamSink", ["file"] = Path.Combine(Api.Files, "put.txt"), ["topics"] = "put" };

        Assert.Equal(201, (await Api.Send(HttpMethod.Put, "/connectors/put-created/config", config)).Status);
        Assert.Equal(200, (await Api.Send(HttpMethod.Put, "/connectors/put-created/config", config)).Status);
        Assert.Equal(204, (await Api.Send(HttpMethod.Delete, "/connectors/put-created")).Status);
    }

    [Fact]
    public async Task A_poison_record_goes_to_the_dead_letter_topic_with_tolerance_all_and_fails_the_task_otherwise()
    {
        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = Api.Silo.KafkaBootstrap }).Build())
        {
            foreach (var value in new[] { """{"n":1}""", """{"n":2}""", "this is not json", """{"n":3}""" })
            {
                await producer.ProduceAsync("poisoned", new Message<string, string> { Key = "k", Value = value });
            }
        }

        var tolerant = Path.Combine(Api.Files, "tolerant.txt");
        await Api.CreateAsync("tolerant", new()
        {
            ["connector.class"] = "FileStreamSink",
            ["file"] = tolerant,
            ["topics"] = "poisoned",
            ["value.converter"] = "org.apache.kafka.connect.json.JsonConverter",
            ["value.converter.schemas.enable"] = "false",
            ["errors.tolerance"] = "all",
            ["errors.deadletterqueue.topic.name"] = "poisoned-dlq",
            ["errors.deadletterqueue.context.headers.enable"] = "true",
        });
        var keyed = Path.Combine(Api.Files, "keyed.txt");
        await Api.CreateAsync("keyed", new()
        {
            ["connector.class"] = "FileStreamSink",
            ["file"] = keyed,
            ["topics"] = "poisoned",
            ["key.converter"] = "org.apache.kafka.connect.json.JsonConverter",
            ["key.converter.schemas.enable"] = "false",
            ["errors.tolerance"] = "all",
            ["errors.deadletterqueue.topic.name"] = "poisoned-keys-dlq",
            ["errors.deadletterqueue.context.headers.enable"] = "true",
        });
        var strict = Path.Combine(Api.Files, "strict.txt");
        await Api.CreateAsync("strict", new()
        {
            ["connector.class"] = "FileStreamSink",
            ["file"] = strict,
            ["topics"] = "poisoned",
            ["value.converter"] = "org.apache.kafka.connect.json.JsonConverter",
            ["value.converter.schemas.enable"] = "false",
        });

        await Wait.Until(() => File.Exists(tolerant) && File.ReadAllLines(tolerant).Length == 3, "the tolerant sink wrote the three good records", TimeSpan.FromSeconds(60));
        Assert.Equal(["""{"n":1}""", """{"n":2}""", """{"n":3}"""], File.ReadAllLines(tolerant));
        var dead = ReadOne(Api.Silo.KafkaBootstrap, "poisoned-dlq");
        Assert.Equal("this is not json", dead.Message.Value);
        Assert.Equal("k", dead.Message.Key);
        string Header(string name) => System.Text.Encoding.UTF8.GetString(dead.Message.Headers.GetLastBytes("__connect.errors." + name));
        Assert.Equal(("poisoned", "0", "2", "tolerant"), (Header("topic"), Header("partition"), Header("offset"), Header("connector.name")));
        Assert.Equal("OrleansLog.Connect.Converters.DataException", Header("exception.class.name"));
        Assert.Equal("VALUE_CONVERTER", Header("stage"));

        // The key "k" is no JSON: each record fails at the key converter, and its header says so.
        var badKey = ReadOne(Api.Silo.KafkaBootstrap, "poisoned-keys-dlq");
        Assert.Equal("KEY_CONVERTER", System.Text.Encoding.UTF8.GetString(badKey.Message.Headers.GetLastBytes("__connect.errors.stage")));

        var failed = await Api.WaitForTasks("strict", "FAILED");
        Assert.Contains("could not be converted or transformed", failed.GetProperty("tasks")[0].GetProperty("trace").GetString(), StringComparison.Ordinal);
        Assert.False(File.Exists(strict) && File.ReadAllLines(strict).Length > 2, "the strict sink went past the poison record");

        // A restart runs the task again, and it meets the same record.
        Assert.Equal(204, (await Api.Send(HttpMethod.Post, "/connectors/strict/tasks/0/restart")).Status);
        await Api.WaitForTasks("strict", "FAILED");
    }

    [Fact]
    public async Task The_console_page_lists_connectors_with_each_tasks_state_worker_and_failure()
    {
        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = Api.Silo.KafkaBootstrap }).Build())
        {
            await producer.ProduceAsync("console-poison", new Message<string, string> { Key = "k", Value = "{not json" });
        }

        var file = Path.Combine(Api.Files, "console.txt");
        await File.WriteAllTextAsync(file, "a\n");
        await Api.CreateAsync("console-source", new() { ["connector.class"] = "FileStreamSource", ["file"] = file, ["topic"] = "console-lines" });
        await Api.CreateAsync("console-failing", new()
        {
            ["connector.class"] = "FileStreamSink",
            ["file"] = Path.Combine(Api.Files, "console-out.txt"),
            ["topics"] = "console-poison",
            ["value.converter"] = "org.apache.kafka.connect.json.JsonConverter",
        });
        await Api.WaitForTasks("console-source", "RUNNING");
        await Api.WaitForTasks("console-failing", "FAILED");

        var page = await Api.Http.GetStringAsync("/connect");

        Assert.Matches(@"<tr class=""connector"" data-name=""console-source"">\s*<td rowspan=""1"">console-source</td>\s*<td rowspan=""1"">source</td>\s*<td rowspan=""1"" class=""state"">RUNNING</td>\s*<td class=""num"">0</td>\s*<td class=""task-state"">RUNNING</td>\s*<td>127\.0\.0\.1:\d+</td>", page);
        Assert.Matches(@"data-name=""console-failing"">[\s\S]*?<td class=""task-state"">FAILED</td>\s*<td>127\.0\.0\.1:\d+</td>\s*<td>OrleansLog\.Connect\.Converters\.DataException: Task stopped: the record at console-poison-0@0", page);
        Assert.Contains("<a href=\"/connect\">Connectors</a>", page, StringComparison.Ordinal);
    }

    private static ConsumeResult<string, string> ReadOne(string bootstrap, string topic)
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = $"read-{Guid.NewGuid():N}", AutoOffsetReset = AutoOffsetReset.Earliest }).Build();
        consumer.Subscribe(topic);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { } result)
            {
                return result;
            }
        }

        throw new TimeoutException($"nothing in {topic}");
    }

    /// <summary>One broker process for the class.</summary>
    public sealed class Broker : IAsyncLifetime
    {
        public ConnectBroker Connect { get; private set; } = null!;

        public async Task InitializeAsync() => Connect = await ConnectBroker.StartAsync();

        public async Task DisposeAsync() => await Connect.DisposeAsync();
    }
}
