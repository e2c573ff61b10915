using System.Text;
using OrleansLog.Client.Partitioning;
using OrleansLog.Testing;
using Xunit.Abstractions;
using static OrleansLog.Testing.CliAssert;

namespace OrleansLog.EndToEnd.Tests;

/// <summary>
/// The README's scenario through real processes: create a topic with the CLI, produce 100,000 lines,
/// SIGKILL the broker, start it again over the same data, and consume everything back identical and in
/// order within each partition.
/// </summary>
public class BrokerCrashTests(ITestOutputHelper output)
{
    private const int Lines = 100_000;
    private const int Partitions = 4;

    [Fact]
    public async Task Produced_lines_survive_a_SIGKILL_of_the_broker_identical_and_in_order()
    {
        using var temp = new TempDirectory();
        var data = temp.Sub("data");
        var input = temp.Sub("lines.txt");
        await File.WriteAllLinesAsync(input, Enumerable.Range(0, Lines).Select(i => $"key-{i % 97}|line-{i}"));

        await using (var first = await SiloProcess.StartAsync(data))
        {
            Ok(await CliRunner.RunAsync(first.Gateway, null, "topics", "create", "crash-lines", "--partitions", Partitions.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Ok(await CliRunner.RunAsync(first.Gateway, input, "produce", "crash-lines", "--key-separator", "|"));
            await first.KillAsync();
        }

        await using var second = await SiloProcess.StartAsync(data);
        var consumed = Ok(await CliRunner.RunAsync(second.Gateway, null, "consume", "crash-lines", "--from-beginning", "--print-metadata"));
        var records = consumed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToList();
        output.WriteLine($"consumed {records.Count} records after the restart");

        Assert.Equal(Lines, records.Count);
        Assert.Equal(Enumerable.Range(0, Lines).Select(i => $"line-{i}").Order(StringComparer.Ordinal), records.Select(r => r[4]).Order(StringComparer.Ordinal));
        foreach (var byPartition in records.GroupBy(r => int.Parse(r[0], System.Globalization.CultureInfo.InvariantCulture)))
        {
            var offsets = byPartition.Select(r => long.Parse(r[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(Enumerable.Range(0, offsets.Count).Select(i => (long)i), offsets);
            foreach (var byKey in byPartition.GroupBy(r => r[3]))
            {
                Assert.Equal(Murmur2Partitioner.Partition(Encoding.UTF8.GetBytes(byKey.Key), Partitions), byPartition.Key);
                var sequence = byKey.Select(r => int.Parse(r[4]["line-".Length..], System.Globalization.CultureInfo.InvariantCulture)).ToList();
                Assert.Equal(sequence.Order(), sequence);
            }
        }
    }

    [Fact]
    public async Task Committed_offsets_and_groups_survive_a_SIGKILL_of_the_broker()
    {
        using var temp = new TempDirectory();
        var data = temp.Sub("data");
        var input = temp.Sub("lines.txt");
        await File.WriteAllLinesAsync(input, Enumerable.Range(0, 100).Select(i => $"line-{i}"));

        await using (var first = await SiloProcess.StartAsync(data))
        {
            Ok(await CliRunner.RunAsync(first.Gateway, null, "topics", "create", "committed", "--partitions", "2"));
            Ok(await CliRunner.RunAsync(first.Gateway, input, "produce", "committed"));
            var consumed = Ok(await CliRunner.RunAsync(first.Gateway, null, "consume", "committed", "--group", "survivors", "--from-beginning", "--max", "60"));
            Assert.Equal(60, consumed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
            await first.KillAsync();
        }

        await using var second = await SiloProcess.StartAsync(data);
        Assert.Contains("survivors", Ok(await CliRunner.RunAsync(second.Gateway, null, "groups", "list")).Stdout.Split('\n'));
        var rest = Ok(await CliRunner.RunAsync(second.Gateway, null, "consume", "committed", "--group", "survivors", "--timeout-ms", "3000"));
        Assert.Equal(40, rest.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }
}
