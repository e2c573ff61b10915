using Microsoft.Extensions.Options;
using OrleansLog.Hosting;

namespace OrleansLog.Server.Brokers;

/// <summary>
/// Refuses a negative broker id (Kafka's <c>broker.id</c> is a non-negative int; -1 means "none" in the
/// protocol), and a session timeout shorter than three heartbeats (one late heartbeat must not fence a broker).
/// </summary>
public sealed class BrokerOptionsValidator : IValidateOptions<BrokerOptions>
{
    public ValidateOptionsResult Validate(string? name, BrokerOptions options) =>
        new OptionsChecks(BrokerOptions.SectionName)
            .AtLeast(nameof(options.Id), options.Id, 0)
            .Positive(nameof(options.HeartbeatInterval), options.HeartbeatInterval)
            .That(options.SessionTimeout >= options.HeartbeatInterval * 3, nameof(options.SessionTimeout), $"must be at least three {nameof(options.HeartbeatInterval)}s ({options.HeartbeatInterval * 3})", options.SessionTimeout)
            .Result();
}
