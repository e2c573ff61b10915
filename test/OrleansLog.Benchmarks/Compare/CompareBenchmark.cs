using System.Diagnostics;
using OrleansLog.Benchmarks.Compare.Drivers;
using OrleansLog.Benchmarks.Produce;
using OrleansLog.Benchmarks.Storage;

namespace OrleansLog.Benchmarks.Compare;

/// <summary>
/// The peer comparison: every workload file on every system's drivers, in one run, after the raw-disk
/// baseline. Systems run one after another (nothing else on the machine while one is measured), each
/// started afresh per replication factor in its own temp folder and killed after its workloads.
/// </summary>
public sealed class CompareBenchmark(CompareOptions options)
{
    /// <summary>The native producer's batch size: the unit a durable OrleansLog append is fsynced in.</summary>
    private const int RawDiskWriteSize = 128 * 1024;

    public static IReadOnlyList<BenchmarkSystem> Systems { get; } = [OrleansLogServers.System, NatsServers.System, RedisServers.Always, RedisServers.EverySecond];

    /// <summary>Runs everything and writes the report; returns how many driver-workload pairs produced no figures.</summary>
    public async Task<int> RunAsync()
    {
        var workloads = Workload.LoadAll(options.WorkloadDirectory)
            .Where(w => options.Workloads is null || options.Workloads.Contains(w.Name))
            .Select(w => w.Scaled(options.Quick, options.Duration))
            .ToList();
        var systems = Systems.Where(s => options.Systems is null || options.Systems.Contains(s.Name)).ToList();
        if (workloads.Count == 0 || systems.Count == 0)
        {
            throw new ArgumentException($"Nothing to run: workloads are {string.Join(", ", Workload.LoadAll(options.WorkloadDirectory).Select(w => w.Name))}; systems are {string.Join(", ", Systems.Select(s => s.Name))}.");
        }

        Directory.CreateDirectory(options.DataDirectory);
        Directory.CreateDirectory(options.OutputDirectory);
        var started = DateTime.UtcNow;
        var raw = RawDiskBaseline();
        Console.WriteLine($"raw disk: {RawDiskWriteSize / 1024} KiB writes + fdatasync: {raw.MegabytesPerSecond:0.0} MB/s, p50 {raw.P50Ms:0.00} ms, p99 {raw.P99Ms:0.00} ms");
        var rawAtRate = RawDiskAtRates(workloads);

        var results = new List<WorkloadResult>();
        foreach (var group in workloads.GroupBy(w => w.ReplicationFactor))
        {
            foreach (var system in systems)
            {
                results.AddRange(await RunSystem(system, group.Key, [.. group], raw.MegabytesPerSecond));
            }
        }

        var order = workloads.Select(w => w.Name).ToList();
        results = [.. results.OrderBy(r => order.IndexOf(r.Workload))];
        var run = new CompareRun(Environment.MachineName, Environment.ProcessorCount, started, options.Quick, workloads[0].Duration.TotalSeconds, RawDiskWriteSize, raw.MegabytesPerSecond, raw.P50Ms, raw.P99Ms, rawAtRate);
        var charts = CompareCharts.Write(options.OutputDirectory, results);
        var markdown = CompareReport.Markdown(run, results, charts);
        CompareReport.WriteJson(Path.Combine(options.OutputDirectory, "results.json"), run, results);
        await File.WriteAllTextAsync(Path.Combine(options.OutputDirectory, "results.md"), markdown);
        Console.WriteLine();
        Console.WriteLine(markdown);
        Console.WriteLine($"Report: {Path.Combine(options.OutputDirectory, "results.md")} (with results.json and {charts.Count} charts), {DateTime.UtcNow - started:mm\\:ss} in all.");
        return results.Count(r => r.Published == 0 || r.Consumed == 0);
    }

    private async Task<List<WorkloadResult>> RunSystem(BenchmarkSystem system, int replicationFactor, List<Workload> workloads, double rawMegabytesPerSecond)
    {
        var folder = Path.Combine(options.DataDirectory, $"{system.Name}-rf{replicationFactor}");
        var results = new List<WorkloadResult>();
        Console.WriteLine($"starting {system.Name} with {replicationFactor} server(s) in {folder}");
        IBenchmarkServers servers;
        try
        {
            servers = await system.StartAsync(replicationFactor, folder);
        }
        catch (Exception e)
        {
            Console.WriteLine($"  {system.Name} did not start: {e.GetBaseException().Message}");
            return [.. workloads.Select(w => WorkloadResult.Failed(w, system.Name, "-", $"did not start: {e.GetBaseException().Message}", rawMegabytesPerSecond))];
        }

        try
        {
            for (var d = 0; d < servers.Drivers.Count; d++)
            {
                var driver = servers.Drivers[d];
                for (var w = 0; w < workloads.Count; w++)
                {
                    var workload = workloads[w];
                    var topic = $"w{w}-{workload.PartitionsPerTopic}p-d{d}";
                    Console.WriteLine($"  {workload.Name} on {driver.Name} ...");
                    WorkloadResult result;
                    try
                    {
                        using var runner = new WorkloadRunner(servers, driver, workload, topic, rawMegabytesPerSecond);
                        result = await runner.RunAsync();
                    }
                    catch (Exception e)
                    {
                        result = WorkloadResult.Failed(workload, driver.Name, driver.Durability(workload), e.GetBaseException().Message, rawMegabytesPerSecond);
                    }

                    await Settle(driver, topic, workload);
                    Console.WriteLine($"    publish {result.PublishRate:N0} msg/s ({result.PublishMegabytesPerSecond:0.0} MB/s, {result.PublishRatioToRawDisk:0.00}x disk), consume {result.ConsumeRate:N0} msg/s, e2e p99 {(result.EndToEndLatency is { } e2e ? $"{e2e.P99Ms:0.0} ms" : "-")}, server CPU {result.ServerCpuPercent:0}%, RSS {result.ServerPeakRssMegabytes:0} MB ({result.ServerPeakPrivateMegabytes:0} private), {(result.ServerAllocatedBytesPerMessage is { } perMessage ? $"{perMessage:N0} B allocated/msg, GC paused {result.ServerRuntime!.GcPauseSeconds * 1000:N0} ms ({result.ServerRuntime.Gen2Collections} gen2), " : "")}{result.Failures} failed{(result.FirstError is { } error ? $": {error}" : "")}");
                    results.Add(result);
                }
            }
        }
        finally
        {
            await servers.DisposeAsync();
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        return results;
    }

    /// <summary>
    /// Between workloads: the topic is deleted and the kernel's dirty pages written out (sync), so one
    /// workload's gigabytes of writeback do not stall the fsyncs of the next.
    /// </summary>
    private static async Task Settle(IBenchmarkDriver driver, string topic, Workload workload)
    {
        try
        {
            await driver.DeleteTopicAsync(topic, workload);
        }
        catch (Exception e)
        {
            Console.WriteLine($"    (could not delete {topic}: {e.GetBaseException().Message})");
        }

        using var sync = Process.Start("sync")!;
        await sync.WaitForExitAsync();
        await Task.Delay(TimeSpan.FromSeconds(1));
    }

    /// <summary>
    /// The raw disk at each fixed rate with one copy (a replicated workload's servers share this one disk, so
    /// one file per partition would not be its floor), for the workload's measured duration.
    /// </summary>
    private List<RawDiskLatency> RawDiskAtRates(List<Workload> workloads)
    {
        var measured = new List<RawDiskLatency>();
        foreach (var workload in workloads.Where(w => w.ProducerRate > 0 && !w.IsBacklog && w.ReplicationFactor == 1))
        {
            if (RawDiskAtRate.Measure(options.DataDirectory, workload, workload.Duration) is { } latency)
            {
                Console.WriteLine($"raw disk at {workload.Name}'s rate ({workload.PartitionsPerTopic} files, group commit per file): p50 {latency.P50Ms:0.00} ms, p99 {latency.P99Ms:0.00} ms, p99.9 {latency.P999Ms:0.00} ms");
                measured.Add(new RawDiskLatency(workload.Name, latency));
            }
        }

        return measured;
    }

    private (double MegabytesPerSecond, double P50Ms, double P99Ms) RawDiskBaseline()
    {
        var volume = options.Quick ? 8L << 20 : 256L << 20;
        var latency = new LatencyRecorder((int)(volume / RawDiskWriteSize) + 1);
        var (seconds, bytes) = RawDisk.Write(options.DataDirectory, RawDiskWriteSize, volume, sync: true, latency);
        RawDisk.Delete(options.DataDirectory);
        return (bytes / seconds / 1_000_000, latency.PercentileMs(50), latency.PercentileMs(99));
    }
}

/// <summary>The compare command's settings.</summary>
public sealed record CompareOptions(
    string WorkloadDirectory,
    string DataDirectory,
    string OutputDirectory,
    bool Quick,
    TimeSpan? Duration,
    IReadOnlySet<string>? Systems,
    IReadOnlySet<string>? Workloads);
