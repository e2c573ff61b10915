using Microsoft.Extensions.Options;
using OrleansLog.Hosting;

namespace OrleansLog.Server.Brokers;

/// <summary>Refuses a negative broker id (Kafka's <c>broker.id</c> is a non-negative int; -1 means "none" in the protocol).</summary>
public sealed class BrokerOptionsValidator : IValidateOptions<BrokerOptions>
{
    public ValidateOptionsResult Validate(string? name, BrokerOptions options) =>
        new OptionsChecks(BrokerOptions.SectionName)
            .AtLeast(nameof(options.Id), options.Id, 0)
            .Result();
}
