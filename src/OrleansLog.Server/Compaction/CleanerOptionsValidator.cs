using Microsoft.Extensions.Options;
using OrleansLog.Hosting;
using OrleansLog.Storage.Compaction;

namespace OrleansLog.Server.Compaction;

/// <summary>Refuses cleaner settings that could not clean: no thread, a key map too small to hold one batch's keys per thread, a load factor outside (0, 1), no rate.</summary>
public sealed class CleanerOptionsValidator : IValidateOptions<CleanerOptions>
{
    /// <summary>Each thread's map holds at least this many bytes (Kafka asks for 1 MiB per thread too).</summary>
    public const int MinimumBytesPerThread = 1024 * 1024;

    public ValidateOptionsResult Validate(string? name, CleanerOptions options) =>
        new OptionsChecks(CleanerOptions.SectionName)
            .Between(nameof(options.Threads), options.Threads, 1, 64)
            .AtLeast(nameof(options.DedupeBufferSize), options.DedupeBufferSize, (long)MinimumBytesPerThread * Math.Max(1, options.Threads))
            .That(options.DedupeBufferLoadFactor is > 0 and < 1, nameof(options.DedupeBufferLoadFactor), "between 0 and 1 (exclusive)", options.DedupeBufferLoadFactor)
            .That(options.IoMaxBytesPerSecond is null or >= OffsetMap.BytesPerSlot, nameof(options.IoMaxBytesPerSecond), "unset (no limit) or a positive rate in bytes per second", options.IoMaxBytesPerSecond)
            .Positive(nameof(options.Backoff), options.Backoff)
            .Result();
}
