using System.Diagnostics;
using OrleansLog.Testing;
using Xunit.Abstractions;

namespace OrleansLog.Storage.Tests;

/// <summary>A real writer process killed with SIGKILL while appending: nothing it acknowledged may be lost, and the log must open.</summary>
public sealed class LogCrashTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_killed_writer_never_loses_an_acknowledged_batch()
    {
        var directory = _temp.Sub("crash-0");
        var acknowledged = new List<(long Offset, string Value)>();
        for (var run = 0; run < 4; run++)
        {
            var acks = await RunWriterUntilKilled(directory, $"r{run}", valueBytes: run % 2 == 0 ? 100 : 60_000, killAfterAcks: 150 + (run * 50));
            acknowledged.AddRange(acks);

            using var log = PartitionLog.Open(directory, new LogConfig { SegmentBytes = 4 * 1024 * 1024 });
            output.WriteLine($"run {run}: {acks.Count} acked, log end {log.LogEndOffset}, cut {log.Recovery.TruncatedBytes} bytes");
            Assert.True(log.Recovery.WasUnclean);
            var records = Batches.ReadAll(log).ToDictionary(r => r.Offset, r => r.Value.Split('|')[0]);
            Assert.Equal(Enumerable.Range(0, (int)log.LogEndOffset).Select(i => (long)i), records.Keys.Order());
            foreach (var (offset, value) in acknowledged)
            {
                Assert.True(records.TryGetValue(offset, out var stored), $"acknowledged offset {offset} is missing");
                Assert.Equal(value, stored);
            }
        }
    }

    private static async Task<List<(long, string)>> RunWriterUntilKilled(string directory, string runId, int valueBytes, int killAfterAcks)
    {
        var writer = Path.Combine(AppContext.BaseDirectory, "OrleansLog.Storage.CrashWriter.dll");
        var start = new ProcessStartInfo("dotnet", [writer, directory, runId, valueBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var acks = new List<(long, string)>();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (acks.Count < killAfterAcks)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                    ?? throw new InvalidOperationException($"The writer exited early: {await process.StandardError.ReadToEndAsync()}");
                var parts = line.Split(' ');
                if (parts[0] == "acked")
                {
                    acks.Add((long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), parts[2]));
                }
            }
        }
        finally
        {
            // Process.Kill sends SIGKILL on Unix: no flush, no clean close.
            process.Kill();
            await process.WaitForExitAsync();
        }

        return acks;
    }
}
