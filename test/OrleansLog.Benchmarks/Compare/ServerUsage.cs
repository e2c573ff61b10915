using System.Globalization;

namespace OrleansLog.Benchmarks.Compare;

/// <summary>
/// CPU time and resident memory of the servers under test, read from <c>/proc</c>: CPU as the share of
/// one core used over the measured window (200% is both cores of this machine), memory as the highest
/// sum of the processes' RSS seen by a sampler every 200 ms, and the highest sum of their private part
/// (<c>RssAnon</c> + <c>RssShmem</c>: heaps, stacks, JIT code and type data). The rest of RSS is pages of files
/// mapped read-only (the runtime, the framework's and the server's own binaries), which every process running
/// the same binaries shares and which the kernel drops and reads again under memory pressure.
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
    private long _peakPrivateBytes;

    private ServerUsage(IReadOnlyList<int> processIds)
    {
        _processIds = processIds;
        _cpuAtStart = CpuSeconds();
        _sampler = Task.Run(Sample);
    }

    public static ServerUsage Start(IReadOnlyList<int> processIds) => new(processIds);

    /// <summary>Average CPU of the servers since the start, in percent of one core.</summary>
    public double CpuPercent => (CpuSeconds() - _cpuAtStart) / (DateTime.UtcNow - _startedAt).TotalSeconds * 100;

    public double PeakRssMegabytes => Math.Max(Interlocked.Read(ref _peakRssBytes), Resident().Rss) / 1_000_000.0;

    public double PeakPrivateMegabytes => Math.Max(Interlocked.Read(ref _peakPrivateBytes), Resident().Private) / 1_000_000.0;

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
            var (rss, own) = Resident();
            if (rss > Interlocked.Read(ref _peakRssBytes))
            {
                Interlocked.Exchange(ref _peakRssBytes, rss);
            }

            if (own > Interlocked.Read(ref _peakPrivateBytes))
            {
                Interlocked.Exchange(ref _peakPrivateBytes, own);
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

    /// <summary>The processes' summed RSS and its private part, from <c>/proc/PID/status</c> (kB there).</summary>
    private (long Rss, long Private) Resident()
    {
        long rss = 0;
        long own = 0;
        foreach (var id in _processIds)
        {
            if (Read($"/proc/{id}/status") is not { } status)
            {
                continue;
            }

            foreach (var line in status.Split('\n'))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss += Kilobytes(line);
                }
                else if (line.StartsWith("RssAnon:", StringComparison.Ordinal) || line.StartsWith("RssShmem:", StringComparison.Ordinal))
                {
                    own += Kilobytes(line);
                }
            }
        }

        return (rss, own);
    }

    private static long Kilobytes(string line) =>
        long.Parse(line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;

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
