using System.Diagnostics;
using System.Text.Json;
using OrleansLog.Testing;

namespace OrleansLog.EndToEnd.Tests;

/// <summary>
/// The benchmark suites' --quick mode, so a broken path shows in CI. It asserts only that every case
/// produced figures: timing is never asserted in tests.
/// </summary>
public class BenchmarkSmokeTests
{
    [Theory]
    [InlineData("storage", 27)]
    [InlineData("produce", 14)]
    [InlineData("e2e", 5)]
    [InlineData("replicated", 6)]
    [InlineData("kafka", 6)]
    public async Task Every_case_of_the_quick_run_produces_figures(string suite, int cases)
    {
        using var temp = new TempDirectory();
        var json = temp.Sub("results.json");
        var run = await RunBenchmark(TimeSpan.FromMinutes(3), suite, "--quick", "--json", json, "--dir", temp.Sub("bench"));
        Assert.True(run.ExitCode == 0, run.Output);

        using var results = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var rows = results.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(cases, rows.Count);
        Assert.All(rows, row => Assert.True(row.GetProperty("megabytesPerSecond").GetDouble() > 0, row.ToString()));
        Assert.False(Directory.Exists(temp.Sub("bench")), "the benchmark leaves no data behind");
    }

    /// <summary>Each rule of a workload file, and an unknown system, stops compare before anything starts, with one line naming the file and the rule.</summary>
    [Theory]
    [InlineData("name: \"\"", "name is required")]
    [InlineData("topics: 2", "topics must be 1")]
    [InlineData("partitionsPerTopic: 0", "partitionsPerTopic must be at least 1")]
    [InlineData("messageSize: 8", "messageSize must be at least 16 bytes")]
    [InlineData("producersPerTopic: 0", "producers, subscriptions and consumers per subscription must each be at least 1")]
    [InlineData("subscriptionsPerTopic: 0", "producers, subscriptions and consumers per subscription must each be at least 1")]
    [InlineData("consumerPerSubscription: 0", "producers, subscriptions and consumers per subscription must each be at least 1")]
    [InlineData("producerRate: -1", "producerRate must not be negative")]
    [InlineData("replicationFactor: 2", "replicationFactor must be 1 or 3")]
    [InlineData("acks: 0", "acks must be all or 1")]
    [InlineData("keyDistributor: SOME_KEYS", "keyDistributor must be NO_KEY, KEY_ROUND_ROBIN or RANDOM_NANO")]
    [InlineData("testDurationMinutes: 0", "testDurationMinutes must be positive")]
    [InlineData("warmupDurationMinutes: -1", "warmupDurationMinutes not negative")]
    [InlineData("messageSise: 100", "bad.yaml:")]
    [InlineData("", "Nothing to run: workloads are bad; systems are orleanslog, nats, redis-always, redis-everysec", "--systems", "kafka")]
    public async Task A_bad_workload_file_or_option_is_refused_with_one_line(string line, string expected, params string[] extra)
    {
        using var temp = new TempDirectory();
        var folder = temp.Sub("workloads");
        Directory.CreateDirectory(folder);
        var fields = new Dictionary<string, string>
        {
            ["name"] = "bad", ["topics"] = "1", ["partitionsPerTopic"] = "1", ["messageSize"] = "100", ["subscriptionsPerTopic"] = "1",
            ["consumerPerSubscription"] = "1", ["producersPerTopic"] = "1", ["producerRate"] = "0", ["replicationFactor"] = "1",
            ["acks"] = "all", ["testDurationMinutes"] = "1", ["warmupDurationMinutes"] = "0",
        };
        if (line.Length > 0)
        {
            var (key, value) = (line[..line.IndexOf(':')], line[(line.IndexOf(':') + 2)..]);
            fields.Remove(key);
            fields[key] = value;
        }

        await File.WriteAllLinesAsync(Path.Combine(folder, "bad.yaml"), fields.Select(f => $"{f.Key}: {f.Value}"));
        var run = await RunBenchmark(TimeSpan.FromMinutes(1), ["compare", "--quick", "--workload-dir", folder, "--out", temp.Sub("report"), "--dir", temp.Sub("bench"), .. extra]);
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("compare: ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains(expected, run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.Stderr.Trim().Split('\n'));
        Assert.DoesNotContain("starting", run.Stdout, StringComparison.Ordinal);
    }

    /// <summary>
    /// The peer comparison's quick run: OrleansLog (native and Kafka clients), NATS JetStream and Redis
    /// Streams (both fsync policies) on every workload file, each with figures, plus the report and charts.
    /// </summary>
    [Fact]
    public async Task Every_driver_of_the_quick_comparison_produces_figures_on_every_workload()
    {
        using var temp = new TempDirectory();
        var output = temp.Sub("report");
        var run = await RunBenchmark(TimeSpan.FromMinutes(10), "compare", "--quick", "--out", output, "--dir", temp.Sub("bench"));
        Assert.True(run.ExitCode == 0, run.Output);

        var workloads = Directory.GetFiles(Path.Combine(Path.GetDirectoryName(RepoPaths.BenchmarksDll)!, "Workloads"), "*.yaml").Length;
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "results.json")));
        var rows = report.RootElement.GetProperty("results").EnumerateArray().ToList();
        string[] drivers = ["OrleansLog (native client)", "OrleansLog (Kafka listener, Confluent.Kafka)", "NATS JetStream", "Redis Streams (appendfsync always)", "Redis Streams (appendfsync everysec)"];
        Assert.Equal(drivers.Order(), rows.Select(r => r.GetProperty("driver").GetString()!).Distinct().Order());
        Assert.Equal(workloads * drivers.Length, rows.Count);
        Assert.All(rows, row =>
        {
            Assert.True(row.GetProperty("publishRate").GetDouble() > 0, row.ToString());
            Assert.True(row.GetProperty("consumeRate").GetDouble() > 0, row.ToString());
            Assert.True(row.GetProperty("publishLatency").GetProperty("p99Ms").GetDouble() > 0, row.ToString());
            Assert.True(row.GetProperty("serverCpuPercent").GetDouble() > 0, row.ToString());
            Assert.Equal(0, row.GetProperty("failures").GetInt64());
        });
        Assert.Contains("| NATS JetStream |", await File.ReadAllTextAsync(Path.Combine(output, "results.md")), StringComparison.Ordinal);

        // The raw disk's latency at each single-copy fixed rate, the floor those workloads' end-to-end tails are judged against.
        var fixedRates = rows.Where(r => r.GetProperty("workload").GetString()!.StartsWith("fixed-rate-", StringComparison.Ordinal) && !r.GetProperty("workload").GetString()!.Contains("rf3", StringComparison.Ordinal)).Select(r => r.GetProperty("workload").GetString()).Distinct().Order().ToList();
        var floors = report.RootElement.GetProperty("run").GetProperty("rawDiskAtRate").EnumerateArray().ToList();
        Assert.NotEmpty(fixedRates);
        Assert.Equal(fixedRates, floors.Select(f => f.GetProperty("workload").GetString()).Order());
        Assert.All(floors, f => Assert.True(f.GetProperty("latency").GetProperty("p99Ms").GetDouble() > 0, f.ToString()));
        Assert.All(Directory.GetFiles(output, "*.png"), png => Assert.True(new FileInfo(png).Length > 1000, png));
        Assert.True(Directory.GetFiles(output, "throughput-*.png").Length == workloads, "one throughput chart per workload");
        Assert.False(Directory.Exists(temp.Sub("bench")), "the benchmark leaves no data behind");
    }

    /// <summary>Runs the benchmark executable (this build) with <paramref name="arguments"/> and waits for it, at most <paramref name="timeout"/>.</summary>
    private static async Task<BenchmarkRun> RunBenchmark(TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments.Prepend(RepoPaths.BenchmarksDll))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(deadline.Token);
        return new BenchmarkRun(process.ExitCode, await stdout, await stderr);
    }

    private sealed record BenchmarkRun(int ExitCode, string Stdout, string Stderr)
    {
        public string Output => $"{Stdout}\n{Stderr}";
    }
}
