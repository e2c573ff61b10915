using Microsoft.Extensions.Options;
using OrleansLog.Hosting;

namespace OrleansLog.Server.Replication;

/// <summary>Refuses <see cref="ReplicationOptions"/> the leader's loops and the coordinator could not run with.</summary>
public sealed class ReplicationOptionsValidator : IValidateOptions<ReplicationOptions>
{
    public ValidateOptionsResult Validate(string? name, ReplicationOptions options) =>
        new OptionsChecks(ReplicationOptions.SectionName)
            .Positive(nameof(options.ReplicaLagTimeMax), options.ReplicaLagTimeMax)
            .Between(nameof(options.DefaultReplicationFactor), options.DefaultReplicationFactor, 1, short.MaxValue)
            .AtLeast(nameof(options.MaxPushBytes), options.MaxPushBytes, 1024)
            .Positive(nameof(options.RetryBackoff), options.RetryBackoff)
            .That(options.RetryBackoffMax >= options.RetryBackoff, nameof(options.RetryBackoffMax), $"at least RetryBackoff ({options.RetryBackoff})", options.RetryBackoffMax)
            .Positive(nameof(options.ReplicaCallTimeout), options.ReplicaCallTimeout)
            .Positive(nameof(options.LivenessCheckInterval), options.LivenessCheckInterval)
            .Positive(nameof(options.HighWatermarkCheckpointInterval), options.HighWatermarkCheckpointInterval)
            .Result();
}
