using System.Globalization;

namespace OrleansLog.Benchmarks.Compare;

/// <summary>
/// CPU time and resident memory of the servers under test, read from <c>/proc</c>: CPU as the share of
/// one core used over the measured window (200% is both cores of this machine), memory as the highest
/// sum of the processes' RSS seen by a sampler every 200 ms.
/// </summary>
public sealed class ServerUsage : IAsyncDisposable
{
    private static readonly double TicksPerSecond = 100;

    private readonly IReadOnlyList<int> _processIds;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampler;
    private readonly double _cpuAtStart;
    private readonly DateTime _startedAt = DateTime.UtcNow;
    private long _peakRssBytes;

    private ServerUsage(IReadOnlyList<int> processIds)
    {
        _processIds = processIds;
        _cpuAtStart = CpuSeconds();
        _sampler = Task.Run(Sample);
    }

    public static ServerUsage Start(IReadOnlyList<int> processIds) => new(processIds);

    /// <summary>Average CPU of the servers since the start, in percent of one core.</summary>
    public double CpuPercent => (CpuSeconds() - _cpuAtStart) / (DateTime.UtcNow - _startedAt).TotalSeconds * 100;

    public double PeakRssMegabytes => Math.Max(Interlocked.Read(ref _peakRssBytes), RssBytes()) / 1_000_000.0;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sampler;
        _stop.Dispose();
    }

    private async Task Sample()
    {
        while (!_stop.IsCancellationRequested)
        {
            var rss = RssBytes();
            if (rss > Interlocked.Read(ref _peakRssBytes))
            {
                Interlocked.Exchange(ref _peakRssBytes, rss);
            }

            try
            {
                await Task.Delay(200, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>utime + stime (fields 14 and 15 of /proc/PID/stat, after the command name in parentheses).</summary>
    private double CpuSeconds()
    {
        double total = 0;
        foreach (var id in _processIds)
        {
            if (Read($"/proc/{id}/stat") is not { } stat)
            {
                continue;
            }

            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            total += (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }

        return total;
    }

    private long RssBytes()
    {
        long total = 0;
        foreach (var id in _processIds)
        {
            var line = Read($"/proc/{id}/status")?.Split('\n').FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            if (line is not null)
            {
                total += long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return total;
    }

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
