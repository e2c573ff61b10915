using Microsoft.Extensions.Options;
using OrleansLog.Hosting;

namespace OrleansLog.Web.Sampling;

/// <summary>Refuses <see cref="ConsoleOptions"/> the sampler could not run with.</summary>
public sealed class ConsoleOptionsValidator : IValidateOptions<ConsoleOptions>
{
    public ValidateOptionsResult Validate(string? name, ConsoleOptions options) =>
        new OptionsChecks(ConsoleOptions.SectionName)
            .Positive(nameof(options.SampleInterval), options.SampleInterval)
            .AtLeast(nameof(options.SamplesKept), options.SamplesKept, 2)
            .AtLeast(nameof(options.MaxSampled), options.MaxSampled, 0)
            .Result();
}
