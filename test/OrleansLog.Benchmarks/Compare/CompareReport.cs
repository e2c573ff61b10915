using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OrleansLog.Benchmarks.Compare;

/// <summary>The comparison's outputs: <c>results.json</c> (every figure and latency curve) and <c>results.md</c> (the tables, also printed).</summary>
public static class CompareReport
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static void WriteJson(string path, CompareRun run, IReadOnlyList<WorkloadResult> results) =>
        File.WriteAllText(path, JsonSerializer.Serialize(new { run, results }, Json));

    public static string Markdown(CompareRun run, IReadOnlyList<WorkloadResult> results, IReadOnlyList<string> charts)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# OrleansLog against its peers ({(run.Quick ? "quick smoke run" : "full run")})");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"{run.Machine}, {run.Cores} cores, {run.Started:yyyy-MM-dd HH:mm} UTC; measured {run.MeasuredSeconds:0} s per workload after its warm-up. Servers on 127.0.0.1, clients in the benchmark process.");
        text.AppendLine(CultureInfo.InvariantCulture, $"Raw-disk baseline, same run: sequential {run.RawDiskWriteBytes / 1024} KiB writes each followed by fdatasync, {run.RawDiskMegabytesPerSecond:0.0} MB/s (p50 {run.RawDiskP50Ms:0.00} ms, p99 {run.RawDiskP99Ms:0.00} ms per write). \"× disk\" is a throughput divided by it.");
        text.AppendLine();
        foreach (var workload in results.GroupBy(r => r.Workload))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"## {workload.Key}");
            text.AppendLine();
            text.AppendLine("| Driver | Publish msg/s | MB/s | × disk | Consume msg/s | × disk | Publish p50 / p99 / p99.9 ms | End-to-end p50 / p99 / p99.9 ms | Backlog drain s | Server CPU % | Server RSS MB (private) | Server B allocated / msg | Server GC pauses ms (gen2) | Failed |");
            text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var r in workload)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {r.Driver} | {r.PublishRate:N0} | {r.PublishMegabytesPerSecond:0.0} | {r.PublishRatioToRawDisk:0.00} | {r.ConsumeRate:N0} | {r.ConsumeRatioToRawDisk:0.00} | {Latency(r.PublishLatency)} | {Latency(r.EndToEndLatency)} | {(r.BacklogDrainSeconds is { } d ? d.ToString("0.0", CultureInfo.InvariantCulture) : "-")} | {r.ServerCpuPercent:0} | {r.ServerPeakRssMegabytes:0} ({r.ServerPeakPrivateMegabytes:0}) | {(r.ServerAllocatedBytesPerMessage is { } a ? a.ToString("N0", CultureInfo.InvariantCulture) : "-")} | {(r.ServerRuntime is { } gc ? string.Create(CultureInfo.InvariantCulture, $"{gc.GcPauseSeconds * 1000:N0} ({gc.Gen2Collections})") : "-")} | {r.Failures}{(r.FirstError is { } e ? $" ({Clip(e)})" : "")} |");
            }

            if (run.RawDiskAtRate.FirstOrDefault(raw => raw.Workload == workload.Key) is { } disk)
            {
                text.AppendLine();
                text.AppendLine(CultureInfo.InvariantCulture, $"Raw disk at this rate, same run: one file per partition, each message counted from its arrival until an fdatasync covers it (a 5 ms linger, then one write and fdatasync per file for all that arrived; no network, no broker): p50 / p99 / p99.9 {Latency(disk.Latency)} ms. End-to-end p99 over the raw disk's: {string.Join(", ", workload.Where(r => r.EndToEndLatency is not null).Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Driver} {r.EndToEndLatency!.P99Ms / disk.Latency.P99Ms:0.00}x")))}.");
            }

            text.AppendLine();
        }

        text.AppendLine("## Durability of an acknowledged message");
        text.AppendLine();
        text.AppendLine("| Driver | Workloads | Durability |");
        text.AppendLine("|---|---|---|");
        foreach (var group in results.GroupBy(r => (r.Driver, r.Durability)))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {group.Key.Driver} | {string.Join(", ", group.Select(r => r.Workload))} | {group.Key.Durability} |");
        }

        if (charts.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("## Charts");
            text.AppendLine();
            foreach (var chart in charts)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"![{Path.GetFileNameWithoutExtension(chart)}]({Path.GetFileName(chart)})");
            }
        }

        return text.ToString();
    }

    private static string Latency(LatencySummary? latency) =>
        latency is null ? "-" : string.Create(CultureInfo.InvariantCulture, $"{latency.P50Ms:0.0} / {latency.P99Ms:0.0} / {latency.P999Ms:0.0}");

    private static string Clip(string error)
    {
        var line = error.ReplaceLineEndings(" ").Replace('|', '/');
        return line.Length <= 80 ? line : line[..80] + "…";
    }
}

/// <summary>What the whole comparison ran on, and its raw-disk baseline.</summary>
public sealed record CompareRun(
    string Machine,
    int Cores,
    DateTime Started,
    bool Quick,
    double MeasuredSeconds,
    int RawDiskWriteBytes,
    double RawDiskMegabytesPerSecond,
    double RawDiskP50Ms,
    double RawDiskP99Ms,
    IReadOnlyList<RawDiskLatency> RawDiskAtRate);

/// <summary>The raw disk's latency at a fixed-rate workload's rate (see <see cref="Compare.RawDiskAtRate"/>).</summary>
public sealed record RawDiskLatency(string Workload, LatencySummary Latency);
