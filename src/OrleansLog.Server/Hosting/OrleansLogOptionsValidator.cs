using Microsoft.Extensions.Options;
using OrleansLog.Hosting;

namespace OrleansLog.Server.Hosting;

/// <summary>Refuses <see cref="OrleansLogOptions"/> without a data directory, with a retention check that never runs, or topics without partitions.</summary>
public sealed class OrleansLogOptionsValidator : IValidateOptions<OrleansLogOptions>
{
    public ValidateOptionsResult Validate(string? name, OrleansLogOptions options) =>
        new OptionsChecks(OrleansLogOptions.SectionName)
            .NotEmpty(nameof(options.DataDirectory), options.DataDirectory)
            .Positive(nameof(options.RetentionCheckInterval), options.RetentionCheckInterval)
            .NotNegative(nameof(options.StrayLogRetention), options.StrayLogRetention)
            .AtLeast(nameof(options.MaxPartitionsPerTopic), options.MaxPartitionsPerTopic, 1)
            .Result();
}
