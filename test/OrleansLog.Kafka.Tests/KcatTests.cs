using System.Globalization;
using System.Text.Json;

namespace OrleansLog.Kafka.Tests;

/// <summary>kcat (librdkafka 2.0, from Debian) against a broker process: metadata, keyed produce with lz4 and acks=all, consume back, consumer group mode.</summary>
public class KcatTests(KafkaBrokerFixture broker) : IClassFixture<KafkaBrokerFixture>
{
    [Fact]
    public async Task Metadata_lists_the_broker_as_controller_and_every_partition_with_its_leader()
    {
        await broker.Native.Admin.CreateTopicAsync("kcat-meta", 3);

        var (exit, stdout, stderr) = await Kcat.RunAsync(broker.Bootstrap, null, "-L", "-J");

        Assert.True(exit == 0, stderr);
        using var metadata = JsonDocument.Parse(stdout);
        var root = metadata.RootElement;
        var only = Assert.Single(root.GetProperty("brokers").EnumerateArray());
        Assert.Equal(broker.Bootstrap, only.GetProperty("name").GetString());
        Assert.Equal(only.GetProperty("id").GetInt32(), root.GetProperty("controllerid").GetInt32());
        var topic = root.GetProperty("topics").EnumerateArray().Single(t => t.GetProperty("topic").GetString() == "kcat-meta");
        var partitions = topic.GetProperty("partitions").EnumerateArray().ToList();
        Assert.Equal([0, 1, 2], partitions.Select(p => p.GetProperty("partition").GetInt32()));
        Assert.All(partitions, p => Assert.Equal(only.GetProperty("id").GetInt32(), p.GetProperty("leader").GetInt32()));
    }

    [Theory]
    [InlineData("lz4", "all")]
    [InlineData("gzip", "1")]
    public async Task Ten_thousand_keyed_records_come_back_identical_and_in_key_order(string codec, string acks)
    {
        var topic = $"kcat-{codec}";
        await broker.Native.Admin.CreateTopicAsync(topic, 4);
        var lines = Enumerable.Range(0, 10_000).Select(i => string.Create(CultureInfo.InvariantCulture, $"key{i % 97}:value-{i}")).ToList();

        var produced = await Kcat.RunAsync(broker.Bootstrap, string.Join('\n', lines) + "\n", "-P", "-t", topic, "-K:", "-X", $"compression.codec={codec}", "-X", $"acks={acks}");
        Assert.True(produced.ExitCode == 0, produced.Stderr);

        var consumed = await Kcat.RunAsync(broker.Bootstrap, null, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%k:%s\n");
        Assert.True(consumed.ExitCode == 0, consumed.Stderr);
        var back = consumed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(lines.Order(StringComparer.Ordinal), back.Order(StringComparer.Ordinal));

        // One key lives in one partition, so each key's values come back in the order they were produced.
        Assert.All(back.GroupBy(Key), group => Assert.Equal(lines.Where(l => Key(l) == group.Key), group));
    }

    [Fact]
    public async Task Consumer_group_mode_reads_everything_once_and_resumes_from_the_committed_offsets()
    {
        await broker.Native.Admin.CreateTopicAsync("kcat-group", 2);
        await Produce("kcat-group", Enumerable.Range(0, 200).Select(i => $"first-{i}"));

        var first = await ConsumeAsGroup("kcat-group", "kcat-readers");
        Assert.Equal(200, first.Count);
        Assert.All(first, value => Assert.StartsWith("first-", value, StringComparison.Ordinal));

        await Produce("kcat-group", Enumerable.Range(0, 50).Select(i => $"second-{i}"));
        var second = await ConsumeAsGroup("kcat-group", "kcat-readers");
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"second-{i}").Order(StringComparer.Ordinal), second.Order(StringComparer.Ordinal));
    }

    private static string Key(string line) => line[..line.IndexOf(':', StringComparison.Ordinal)];

    private async Task Produce(string topic, IEnumerable<string> values)
    {
        var produced = await Kcat.RunAsync(broker.Bootstrap, string.Join('\n', values) + "\n", "-P", "-t", topic);
        Assert.True(produced.ExitCode == 0, produced.Stderr);
    }

    /// <summary>
    /// kcat -G with -e leaves once every assigned partition is read to its end, committing on the way out.
    /// (Not -o: kcat applies it to every assignment, over the committed offsets.)
    /// </summary>
    private async Task<List<string>> ConsumeAsGroup(string topic, string group)
    {
        var consumed = await Kcat.RunAsync(broker.Bootstrap, null, "-G", group, "-X", "auto.offset.reset=earliest", "-e", "-q", "-f", "%s\n", topic);
        Assert.True(consumed.ExitCode == 0, consumed.Stderr);
        return [.. consumed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }
}
