namespace OrleansLog.Server.Hosting;

/// <summary>The broker's own settings, bound from the <c>OrleansLog</c> configuration section.</summary>
public sealed class OrleansLogOptions
{
    public const string SectionName = "OrleansLog";

    /// <summary>Where partition logs and grain state live (Kafka's <c>log.dirs</c>).</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>How often retention runs over every partition (Kafka's <c>log.retention.check.interval.ms</c>).</summary>
    public TimeSpan RetentionCheckInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The most partitions one topic may have.</summary>
    public int MaxPartitionsPerTopic { get; set; } = 10_000;

    public string LogDirectory => Path.Combine(Path.GetFullPath(DataDirectory), "logs");

    public string StateDirectory => Path.Combine(Path.GetFullPath(DataDirectory), "state");
}
