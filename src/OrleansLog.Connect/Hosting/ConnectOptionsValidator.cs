using Microsoft.Extensions.Options;
using OrleansLog.Hosting;

namespace OrleansLog.Connect.Hosting;

/// <summary>Refuses connector settings the runtime could not work with: no interval, no offsets topic, limits below one, relative file roots.</summary>
public sealed class ConnectOptionsValidator : IValidateOptions<ConnectOptions>
{
    public ValidateOptionsResult Validate(string? name, ConnectOptions options) =>
        new OptionsChecks(ConnectOptions.SectionName)
            .Positive(nameof(options.CheckInterval), options.CheckInterval)
            .Positive(nameof(options.StopTimeout), options.StopTimeout)
            .NotEmpty(nameof(options.OffsetsTopic), options.OffsetsTopic)
            .That(options.ReplicationFactor is -1 or >= 1, nameof(options.ReplicationFactor), "must be -1 (the broker's default) or at least 1", options.ReplicationFactor)
            .Between(nameof(options.MaxConnectors), options.MaxConnectors, 1, 10_000)
            .Between(nameof(options.MaxTasksPerConnector), options.MaxTasksPerConnector, 1, 1_000)
            .That(options.FileRoots.All(Path.IsPathFullyQualified), nameof(options.FileRoots), "must hold absolute paths only", string.Join(",", options.FileRoots))
            .That(options.AllowedHosts.All(h => h.Length > 0 && !h.Contains('/', StringComparison.Ordinal)), nameof(options.AllowedHosts), "must hold host or host:port entries", string.Join(",", options.AllowedHosts))
            .Result();
}
