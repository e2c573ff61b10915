using Microsoft.Extensions.Options;
using OrleansLog.Hosting;

namespace OrleansLog.Server.Security.Quotas;

/// <summary>Refuses <see cref="QuotaOptions"/> a rate could not be measured with.</summary>
public sealed class QuotaOptionsValidator : IValidateOptions<QuotaOptions>
{
    public ValidateOptionsResult Validate(string? name, QuotaOptions options) =>
        new OptionsChecks(QuotaOptions.SectionName)
            .Between(nameof(options.WindowCount), options.WindowCount, 1, 1_000)
            .That(options.WindowSize >= TimeSpan.FromMilliseconds(10), nameof(options.WindowSize), "must be at least 10 ms", options.WindowSize)
            .Positive(nameof(options.RefreshInterval), options.RefreshInterval)
            .AtLeast(nameof(options.MaxMeteredClients), options.MaxMeteredClients, 1)
            .That(options.IdleExpiry >= options.WindowSize * options.WindowCount, nameof(options.IdleExpiry), "must be at least WindowSize × WindowCount", options.IdleExpiry)
            .Result();
}
