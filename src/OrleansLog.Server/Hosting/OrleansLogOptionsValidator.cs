using Microsoft.Extensions.Options;
using OrleansLog.Hosting;

namespace OrleansLog.Server.Hosting;

/// <summary>Refuses <see cref="OrleansLogOptions"/> without a data directory, with a retention check that never runs, partitions that idle out at once, or topics without partitions.</summary>
public sealed class OrleansLogOptionsValidator : IValidateOptions<OrleansLogOptions>
{
    public ValidateOptionsResult Validate(string? name, OrleansLogOptions options) =>
        new OptionsChecks(OrleansLogOptions.SectionName)
            .NotEmpty(nameof(options.DataDirectory), options.DataDirectory)
            .Positive(nameof(options.RetentionCheckInterval), options.RetentionCheckInterval)
            .NotNegative(nameof(options.StrayLogRetention), options.StrayLogRetention)
            .That(options.PartitionIdleTimeout >= TimeSpan.FromSeconds(2), nameof(options.PartitionIdleTimeout), "must be at least 2 seconds", options.PartitionIdleTimeout)
            .AtLeast(nameof(options.MaxPartitionsPerTopic), options.MaxPartitionsPerTopic, 1)
            .AtLeast(nameof(options.MaxOpenSegmentFiles), options.MaxOpenSegmentFiles, 16)
            .AtLeast(nameof(options.DirectoryCacheSize), options.DirectoryCacheSize, 1_000)
            .Result();
}
