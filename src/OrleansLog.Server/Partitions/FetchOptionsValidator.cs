using Microsoft.Extensions.Options;
using OrleansLog.Hosting;

namespace OrleansLog.Server.Partitions;

/// <summary>Refuses a fetch budget too small for any real batch.</summary>
public sealed class FetchOptionsValidator : IValidateOptions<FetchOptions>
{
    public ValidateOptionsResult Validate(string? name, FetchOptions options) =>
        new OptionsChecks(FetchOptions.SectionName)
            .AtLeast(nameof(options.FetchMaxBytes), options.FetchMaxBytes, 1024)
            .Result();
}
