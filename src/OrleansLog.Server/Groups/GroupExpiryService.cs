using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLog.Groups;

namespace OrleansLog.Server.Groups;

/// <summary>
/// Runs the group directory's expiry pass (<see cref="IConsumerGroupDirectoryGrain.ExpireIdleGroups"/>) over
/// every shard each <see cref="GroupCoordinatorOptions.OffsetsRetentionCheckInterval"/>. Every broker runs
/// it: a pass is idempotent and a shard that nothing is due in answers at once, so a second broker's pass
/// costs one call per shard.
/// </summary>
public sealed partial class GroupExpiryService(
    IGrainFactory grains,
    IOptions<GroupCoordinatorOptions> options,
    TimeProvider time,
    ILogger<GroupExpiryService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.OffsetsRetentionCheckInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RunOnce();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogPassFailed(e);
            }
        }
    }

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "The group expiry pass failed; it runs again at the next interval.")]
    private partial void LogPassFailed(Exception error);
}
