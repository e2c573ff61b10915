using Microsoft.Extensions.Options;
using OrleansLog.Hosting;

namespace OrleansLog.Web.Api;

/// <summary>Refuses <see cref="RecordReadOptions"/> that would serve no read.</summary>
public sealed class RecordReadOptionsValidator : IValidateOptions<RecordReadOptions>
{
    public ValidateOptionsResult Validate(string? name, RecordReadOptions options) =>
        new OptionsChecks(RecordReadOptions.SectionName)
            .AtLeast(nameof(options.MaxConcurrentReads), options.MaxConcurrentReads, 1)
            .Result();
}
