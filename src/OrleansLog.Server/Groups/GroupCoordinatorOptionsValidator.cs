using Microsoft.Extensions.Options;
using OrleansLog.Hosting;

namespace OrleansLog.Server.Groups;

/// <summary>Refuses <see cref="GroupCoordinatorOptions"/> no group could run with (an empty session range, no members, a timer that never fires).</summary>
public sealed class GroupCoordinatorOptionsValidator : IValidateOptions<GroupCoordinatorOptions>
{
    public ValidateOptionsResult Validate(string? name, GroupCoordinatorOptions options) =>
        new OptionsChecks(GroupCoordinatorOptions.SectionName)
            .Positive(nameof(options.MinSessionTimeout), options.MinSessionTimeout)
            .That(options.MaxSessionTimeout >= options.MinSessionTimeout, nameof(options.MaxSessionTimeout), $"must be at least MinSessionTimeout ({options.MinSessionTimeout})", options.MaxSessionTimeout)
            .AtLeast(nameof(options.MaxGroupSize), options.MaxGroupSize, 1)
            .NotNegative(nameof(options.InitialRebalanceDelay), options.InitialRebalanceDelay)
            .Positive(nameof(options.SessionCheckInterval), options.SessionCheckInterval)
            .Positive(nameof(options.MetadataRefreshInterval), options.MetadataRefreshInterval)
            .Positive(nameof(options.OffsetsRetention), options.OffsetsRetention)
            .Positive(nameof(options.OffsetsRetentionCheckInterval), options.OffsetsRetentionCheckInterval)
            .Result();
}
