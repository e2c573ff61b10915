namespace OrleansLog.Server.Hosting;

/// <summary>The broker's own settings, bound from the <c>OrleansLog</c> configuration section.</summary>
public sealed class OrleansLogOptions
{
    public const string SectionName = "OrleansLog";

    /// <summary>Where partition logs and grain state live (Kafka's <c>log.dirs</c>).</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>How often retention runs over every partition (Kafka's <c>log.retention.check.interval.ms</c>).</summary>
    public TimeSpan RetentionCheckInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a partition directory that no current topic places on this broker is kept, renamed
    /// <c>-stray</c>, before it is deleted: time to notice and restore data set aside by mistake.
    /// </summary>
    public TimeSpan StrayLogRetention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a partition's leader or follower replica on this broker may go without a request before its grain
    /// deactivates and its log closes (a leader first waits until every replica holds its whole log). An idle
    /// partition then holds no file and no memory; its next request reopens it from its indexes, without
    /// reading its segments.
    /// </summary>
    public TimeSpan PartitionIdleTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The most segment files the broker keeps open at once, shared by every log: beyond it the least recently used
    /// are closed, and opened again when next read or written. The broker uses less when its file limit asks it to:
    /// at most half of what the limit leaves beside the files and sockets open at start.
    /// </summary>
    public int MaxOpenSegmentFiles { get; set; } = 4_000;

    /// <summary>
    /// How many grains' silo addresses this broker caches (Orleans' grain directory cache). Orleans' default of a million
    /// preallocates about 9 MB whether or not it fills; a broker calls about three grains per partition it hosts or
    /// follows, so the default serves some 30,000 partitions per broker. Raise it beyond that: a miss costs a directory lookup.
    /// </summary>
    public int DirectoryCacheSize { get; set; } = 100_000;

    /// <summary>The most partitions one topic may have.</summary>
    public int MaxPartitionsPerTopic { get; set; } = 10_000;

    /// <summary>Where partition logs live; by default <c>logs</c> under <see cref="DataDirectory"/>.</summary>
    public string? LogDirectoryOverride { get; set; }

    /// <summary>
    /// Where file-based grain state lives; by default <c>state</c> under <see cref="DataDirectory"/>. Silos
    /// of one cluster that keep grain state in files must share this directory (the coordinator moves
    /// between them); clusters use a database instead.
    /// </summary>
    public string? StateDirectoryOverride { get; set; }

    public string LogDirectory => Path.GetFullPath(LogDirectoryOverride ?? Path.Combine(DataDirectory, "logs"));

    public string StateDirectory => Path.GetFullPath(StateDirectoryOverride ?? Path.Combine(DataDirectory, "state"));
}
