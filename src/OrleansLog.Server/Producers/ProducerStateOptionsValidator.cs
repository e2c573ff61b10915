using Microsoft.Extensions.Options;
using OrleansLog.Hosting;

namespace OrleansLog.Server.Producers;

/// <summary>Refuses <see cref="ProducerStateOptions"/> under which no producer would be remembered, or never forgotten.</summary>
public sealed class ProducerStateOptionsValidator : IValidateOptions<ProducerStateOptions>
{
    public ValidateOptionsResult Validate(string? name, ProducerStateOptions options) =>
        new OptionsChecks(ProducerStateOptions.SectionName)
            .Positive(nameof(options.IdExpiration), options.IdExpiration)
            .Positive(nameof(options.ExpirationCheckInterval), options.ExpirationCheckInterval)
            .AtLeast(nameof(options.SnapshotEveryOffsets), options.SnapshotEveryOffsets, 1)
            .Result();
}
