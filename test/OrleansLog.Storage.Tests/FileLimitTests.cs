using System.Diagnostics;
using System.Globalization;
using OrleansLog.Storage.IO;

namespace OrleansLog.Storage.Tests;

public class FileLimitTests
{
    [Fact]
    public async Task A_soft_file_limit_below_the_hard_one_is_raised_to_it()
    {
        var (_, hard) = Limits();
        Assert.True(hard > 1024, $"the hard limit {hard} leaves nothing to raise");

        // Lower this process's soft limit from outside, as a shell's ulimit -Sn would have at start.
        using (var lower = Process.Start(new ProcessStartInfo("prlimit", ["--pid", Environment.ProcessId.ToString(CultureInfo.InvariantCulture), $"--nofile=1024:{hard}"]))!)
        {
            await lower.WaitForExitAsync();
            Assert.Equal(0, lower.ExitCode);
        }

        Assert.Equal(1024, Limits().Soft);

        var raised = FileLimit.RaiseToHardLimit();

        Assert.Equal((1024L, hard), raised);
        Assert.Equal((hard, hard), Limits());
    }

    [Theory]
    [InlineData(4_000, 20_000L, 400, 4_000)]
    [InlineData(4_000, 700L, 400, 150)]
    [InlineData(4_000, 400L, 400, 16)]
    [InlineData(100, 20_000L, 400, 100)]
    public void The_segment_file_budget_leaves_half_of_the_free_handles_to_everything_else(int configured, long limit, int openNow, int budget) =>
        Assert.Equal(budget, FileLimit.SegmentFileBudget(configured, limit, openNow));

    [Fact]
    public void Without_a_known_limit_the_configured_budget_stands() =>
        Assert.Equal(4_000, FileLimit.SegmentFileBudget(4_000, null, null));

    /// <summary>This process's open-file limits as the kernel reports them.</summary>
    private static (long Soft, long Hard) Limits()
    {
        var line = File.ReadLines("/proc/self/limits").Single(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(fields[0], CultureInfo.InvariantCulture), long.Parse(fields[1], CultureInfo.InvariantCulture));
    }
}
