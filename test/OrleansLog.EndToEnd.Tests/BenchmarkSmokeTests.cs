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
}
