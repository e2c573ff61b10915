using OrleansLog.Testing;
using Confluent.Kafka;

namespace OrleansLog.Connect.Tests;

/// <summary>FileStreamSource and FileStreamSink run by a real broker process, managed through the REST API only.</summary>
public sealed class FileStreamConnectorTests
{
    private const int Lines = 100_000;

    [Fact]
    public async Task A_100000_line_file_is_copied_through_a_topic_to_another_file_identical()
    {
        await using var broker = await ConnectBroker.StartAsync();
        var input = Path.Combine(broker.Files, "in.txt");
        var output = Path.Combine(broker.Files, "out.txt");
        await File.WriteAllLinesAsync(input, Enumerable.Range(0, Lines).Select(i => $"line {i} {new string('x', i % 50)}"));

        await broker.CreateAsync("file-source", new() { ["connector.class"] = "FileStreamSource", ["file"] = input, ["topic"] = "copied-lines" });
        await broker.CreateAsync("file-sink", new() { ["connector.class"] = "FileStreamSink", ["file"] = output, ["topics"] = "copied-lines" });

        var expected = new FileInfo(input).Length;
        await Wait.Until(() => File.Exists(output) && new FileInfo(output).Length >= expected, "the sink wrote every line", TimeSpan.FromSeconds(120), TimeSpan.FromMilliseconds(200));
        Assert.Equal(await File.ReadAllBytesAsync(input), await File.ReadAllBytesAsync(output));
        var status = await broker.WaitForTasks("file-sink", "RUNNING");
        Assert.Equal("sink", status.GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_SIGKILL_mid_copy_loses_no_line_and_the_topic_holds_each_line_exactly_once()
    {
        await using var broker = await ConnectBroker.StartAsync();
        var input = Path.Combine(broker.Files, "in.txt");
        var output = Path.Combine(broker.Files, "out.txt");
        var lines = Enumerable.Range(0, Lines).Select(i => $"line {i}").ToArray();
        await File.WriteAllLinesAsync(input, lines);

        // Small polls make many transactions, so the kill lands between and inside them.
        await broker.CreateAsync("file-source", new() { ["connector.class"] = "FileStreamSource", ["file"] = input, ["topic"] = "killed-lines", ["batch.size"] = "100" });
        await broker.CreateAsync("file-sink", new() { ["connector.class"] = "FileStreamSink", ["file"] = output, ["topics"] = "killed-lines" });
        await Wait.Until(() => File.Exists(output) && File.ReadLines(output).Count() >= 5_000, "the copy is under way", TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(50));

        var beforeKill = File.ReadLines(output).Count();
        await broker.KillAndRestartAsync();
        Assert.True(beforeKill < Lines, "the kill came after the copy ended");

        await Wait.Until(() => File.ReadLines(output).Distinct().Count() == Lines, "every line reached the sink after the restart", TimeSpan.FromSeconds(120), TimeSpan.FromMilliseconds(200));
        var written = File.ReadAllLines(output);
        Assert.True(written.Length < Lines * 2, $"{written.Length} lines: more than a re-read of the uncommitted tail");

        // The sink is at least once; the source writes records and offsets in one transaction: exactly once.
        Assert.Equal(lines, ReadCommitted(broker.Silo.KafkaBootstrap, "killed-lines", Lines));
        await broker.WaitForTasks("file-source", "RUNNING");
    }

    private static List<string> ReadCommitted(string bootstrap, string topic, int count)
    {
        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = $"check-{Guid.NewGuid():N}",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            IsolationLevel = IsolationLevel.ReadCommitted,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(topic);
        var values = new List<string>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (values.Count < count && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { } result)
            {
                values.Add(result.Message.Value);
            }
        }

        // Anything past the count would be a duplicate: give it a moment to show.
        while (consumer.Consume(TimeSpan.FromSeconds(1)) is { } extra)
        {
            values.Add(extra.Message.Value);
        }

        return values;
    }
}
