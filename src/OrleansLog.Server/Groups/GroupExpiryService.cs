using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLog.Groups;
using OrleansLog.Server.Hosting;

namespace OrleansLog.Server.Groups;

/// <summary>
/// Runs the group directory's expiry pass (<see cref="IConsumerGroupDirectoryGrain.ExpireIdleGroups"/>) over
/// every shard each <see cref="GroupCoordinatorOptions.OffsetsRetentionCheckInterval"/>. Every broker runs
/// it: a pass is idempotent and a shard that nothing is due in answers at once, so a second broker's pass
/// costs one call per shard.
/// </summary>
public sealed class GroupExpiryService(
    IGrainFactory grains,
    IOptions<GroupCoordinatorOptions> options,
    TimeProvider time,
    ILogger<GroupExpiryService> logger) : PeriodicPass(options.Value.OffsetsRetentionCheckInterval, time, logger)
{
    protected override Task PassAsync() => RunOnce();

    /// <summary>One pass over every shard; returns the number of groups expired.</summary>
    public async Task<int> RunOnce()
    {
        var expired = 0;
        for (var shard = 0; shard < IConsumerGroupDirectoryGrain.ShardCount; shard++)
        {
            expired += await IConsumerGroupDirectoryGrain.Shard(grains, shard).ExpireIdleGroups();
        }

        return expired;
    }
}
