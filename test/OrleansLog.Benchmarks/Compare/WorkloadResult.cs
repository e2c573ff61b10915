namespace OrleansLog.Benchmarks.Compare;

/// <summary>What one driver did on one workload, with the raw-disk ratio from the same run.</summary>
public sealed record WorkloadResult
{
    public required string Workload { get; init; }

    public required string Driver { get; init; }

    public required string Durability { get; init; }

    public required int MessageSize { get; init; }

    public long Published { get; init; }

    public double PublishSeconds { get; init; }

    public long Consumed { get; init; }

    public double ConsumeSeconds { get; init; }

    public LatencySummary? PublishLatency { get; init; }

    public LatencySummary? EndToEndLatency { get; init; }

    /// <summary>Backlog workloads: from the first to the last message of the backlog read.</summary>
    public double? BacklogDrainSeconds { get; init; }

    public long Failures { get; init; }

    public string? FirstError { get; init; }

    /// <summary>The servers' CPU over the run, in percent of one core.</summary>
    public double ServerCpuPercent { get; init; }

    public double ServerPeakRssMegabytes { get; init; }

    /// <summary>The highest private part of the servers' RSS (see <see cref="ServerUsage"/>): RSS without the read-only pages of mapped files.</summary>
    public double ServerPeakPrivateMegabytes { get; init; }

    /// <summary>What the servers' .NET runtime did over the whole workload (its warm-up and the reads included); null for servers that do not say.</summary>
    public ServerRuntime? ServerRuntime { get; init; }

    /// <summary>The bytes the servers allocated on their managed heaps per message acknowledged over the whole workload.</summary>
    public double? ServerAllocatedBytesPerMessage => ServerRuntime is { } runtime && AcknowledgedTotal > 0 ? runtime.AllocatedBytes / (double)AcknowledgedTotal : null;

    /// <summary>Every message acknowledged, the warm-up's included (what <see cref="ServerRuntime"/> covers).</summary>
    public long AcknowledgedTotal { get; init; }

    /// <summary>The raw-disk baseline's throughput (sequential writes with fdatasync) in the same run.</summary>
    public double RawDiskMegabytesPerSecond { get; init; }

    /// <summary>A row for a driver that produced no figures on a workload, saying why.</summary>
    public static WorkloadResult Failed(Workload workload, string driver, string durability, string error, double rawDiskMegabytesPerSecond) => new()
    {
        Workload = workload.Name,
        Driver = driver,
        Durability = durability,
        MessageSize = workload.MessageSize,
        Failures = 1,
        FirstError = error,
        RawDiskMegabytesPerSecond = rawDiskMegabytesPerSecond,
    };

    public double PublishRate => PublishSeconds > 0 ? Published / PublishSeconds : 0;

    public double PublishMegabytesPerSecond => PublishRate * MessageSize / 1_000_000;

    public double ConsumeRate => ConsumeSeconds > 0 ? Consumed / ConsumeSeconds : 0;

    public double ConsumeMegabytesPerSecond => ConsumeRate * MessageSize / 1_000_000;

    /// <summary>Publish throughput as a share of the raw disk's durable write throughput.</summary>
    public double PublishRatioToRawDisk => RawDiskMegabytesPerSecond > 0 ? PublishMegabytesPerSecond / RawDiskMegabytesPerSecond : 0;

    public double ConsumeRatioToRawDisk => RawDiskMegabytesPerSecond > 0 ? ConsumeMegabytesPerSecond / RawDiskMegabytesPerSecond : 0;
}
