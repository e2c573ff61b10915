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
    [InlineData("kafka", 4)]
    public async Task Every_case_of_the_quick_run_produces_figures(string suite, int cases)
    {
        using var temp = new TempDirectory();
        var json = temp.Sub("results.json");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { RepoPaths.BenchmarksDll, suite, "--quick", "--json", json, "--dir", temp.Sub("bench") })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"{await stdout}\n{await stderr}");

        using var results = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var rows = results.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(cases, rows.Count);
        Assert.All(rows, row => Assert.True(row.GetProperty("megabytesPerSecond").GetDouble() > 0, row.ToString()));
        Assert.False(Directory.Exists(temp.Sub("bench")), "the benchmark leaves no data behind");
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
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { RepoPaths.BenchmarksDll, "compare", "--quick", "--out", output, "--dir", temp.Sub("bench") })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"{await stdout}\n{await stderr}");

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
        Assert.All(Directory.GetFiles(output, "*.png"), png => Assert.True(new FileInfo(png).Length > 1000, png));
        Assert.True(Directory.GetFiles(output, "throughput-*.png").Length == workloads, "one throughput chart per workload");
        Assert.False(Directory.Exists(temp.Sub("bench")), "the benchmark leaves no data behind");
    }
}
