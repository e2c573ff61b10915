namespace OrleansLog.Server.Compaction;

/// <summary>The broker's log cleaner, bound from <c>OrleansLog:Cleaner</c> (Kafka's <c>log.cleaner.*</c> settings).</summary>
public sealed class CleanerOptions
{
    public const string SectionName = "OrleansLog:Cleaner";

    /// <summary><c>log.cleaner.enable</c>: without the cleaner, compacted topics grow as if they were never cleaned.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary><c>log.cleaner.threads</c>: logs cleaned at once; each has its share of <see cref="DedupeBufferSize"/>.</summary>
    public int Threads { get; set; } = 1;

    /// <summary>
    /// <c>log.cleaner.dedupe.buffer.size</c>: memory for the key maps, over all threads (24 bytes per key at
    /// <see cref="DedupeBufferLoadFactor"/>: 16 MiB maps about 630,000 keys per pass). Kafka's default is 128 MiB; the
    /// maps are only allocated once a compacted log is due, and a log with more keys is cleaned over several passes.
    /// </summary>
    public int DedupeBufferSize { get; set; } = 16 * 1024 * 1024;

    /// <summary><c>log.cleaner.io.buffer.load.factor</c>: how full a key map may get.</summary>
    public double DedupeBufferLoadFactor { get; set; } = 0.9;

    /// <summary><c>log.cleaner.io.max.bytes.per.second</c>: the cleaners' disk reads and writes together; null for no limit.</summary>
    public long? IoMaxBytesPerSecond { get; set; }

    /// <summary><c>log.cleaner.backoff.ms</c>: how often the cleaner looks for logs to clean.</summary>
    public TimeSpan Backoff { get; set; } = TimeSpan.FromSeconds(15);
}
