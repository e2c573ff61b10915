using System.Globalization;
using OrleansLog.Testing;

namespace OrleansLog.EndToEnd.Tests;

/// <summary>
/// Real processes end to end: two producer CLIs and a group of three consumer CLIs against a broker
/// process; consumers are SIGKILLed mid-stream and restarted. Every produced record must be printed by
/// some consumer (at least once), and thanks to idempotence the log holds each record exactly once.
/// </summary>
public class AtLeastOnceTests(BrokerProcessFixture broker) : IClassFixture<BrokerProcessFixture>
{
    private const int RecordsPerProducer = 2_500;

    /// <summary>The conditions scan every printed line: check them less often than the default.</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task Killed_consumers_lose_nothing_and_the_log_has_no_duplicates()
    {
        Assert.Equal(0, (await broker.Cli("topics", "create", "orders", "--partitions", "4")).ExitCode);
        using var temp = new TempDirectory();
        // Two producers in each of two phases; the consumer kills happen between the phases, so records
        // produced after them can only be printed by the group after it rebalanced.
        var inputs = new List<string>();
        foreach (var phase in new[] { 0, 1 })
        {
            foreach (var producer in new[] { "p0", "p1" })
            {
                var path = temp.Sub($"{producer}-{phase}.txt");
                File.WriteAllLines(path, Enumerable.Range(phase * RecordsPerProducer, RecordsPerProducer).Select(i => string.Create(CultureInfo.InvariantCulture, $"k{i % 64}:{producer}-{i}")));
                inputs.Add(path);
            }
        }

        var consumers = Enumerable.Range(0, 3).Select(_ => StartConsumer()).ToList();
        var everyConsumer = new List<CliProcess>(consumers);
        var producers = new List<CliProcess>();
        try
        {
            await Produce(inputs[..2], producers);
            await Wait.Until(() => everyConsumer.Sum(c => c.Lines.Count) > 500, "consumers print records", TimeSpan.FromSeconds(60), Poll);

            // Kill two consumers without a chance to commit or leave; start replacements.
            var replacements = new List<CliProcess>();
            for (var i = 0; i < 2; i++)
            {
                await consumers[i].KillAsync();
                consumers[i] = StartConsumer();
                replacements.Add(consumers[i]);
                everyConsumer.Add(consumers[i]);
            }

            await Produce(inputs[2..], producers);

            var expected = inputs.SelectMany(File.ReadAllLines).Select(line => line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..]).ToHashSet();
            await Wait.Until(() => expected.IsSubsetOf(everyConsumer.SelectMany(c => c.Lines)), "every record was printed by some consumer", TimeSpan.FromSeconds(90), Poll);

            Assert.True(replacements.Sum(c => c.Lines.Count) > 0, "the replacement consumers never got a partition");

            var log = await broker.Cli("consume", "orders", "--from-beginning");
            Assert.Equal(0, log.ExitCode);
            var stored = log.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(expected.Count, stored.Length);
            Assert.Equal(expected.Count, stored.Distinct().Count());
        }
        finally
        {
            foreach (var process in everyConsumer.Concat(producers))
            {
                await process.DisposeAsync();
            }
        }
    }

    private async Task Produce(List<string> inputs, List<CliProcess> producers)
    {
        var started = inputs.Select(input => CliProcess.Start(broker.Silo.Gateway, input, "produce", "orders", "--key-separator", ":")).ToList();
        producers.AddRange(started);
        foreach (var producer in started)
        {
            var result = await producer.WaitForExitAsync(TimeSpan.FromMinutes(2));
            Assert.True(result.ExitCode == 0, result.ToString());
        }
    }

    private CliProcess StartConsumer() =>
        CliProcess.Start(broker.Silo.Gateway, null, "consume", "orders", "--group", "order-processors", "--follow", "--from-beginning");
}
