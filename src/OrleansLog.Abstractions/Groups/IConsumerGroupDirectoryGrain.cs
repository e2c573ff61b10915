using OrleansLog.Security;
using System.Collections.Immutable;
using System.IO.Hashing;
using System.Text;

namespace OrleansLog.Groups;

/// <summary>
/// One shard of the persisted directory of consumer groups: the groups whose id hashes to it (see
/// <see cref="ShardOf"/>), each with the time its committed offsets may next be due to expire. Sharded so
/// that registering a group rewrites one small shard, never the list of every group; list all groups with
/// <see cref="ListAllAsync"/>.
/// </summary>
public interface IConsumerGroupDirectoryGrain : IGrainWithStringKey
{
    /// <summary>How many shards the directory has (fixed: a group's shard must not move).</summary>
    const int ShardCount = 64;

    /// <summary>Adds <paramref name="groupId"/> (no-op when present), to be checked for expiry from <paramref name="checkAtMs"/> on.</summary>
    [Security.ClusterInternal]
    Task Register(string groupId, long checkAtMs);

    [Security.ClusterInternal]

    Task Unregister(string groupId);

    [FiltersByAcl(AclResourceType.Group)]
    Task<ImmutableArray<string>> List();

    /// <summary>
    /// Asks each group whose check is due whether its offsets have expired (Kafka's
    /// <c>offsets.retention.minutes</c>); drops the expired ones and reschedules the rest. Returns the
    /// number of groups dropped.
    /// </summary>
    [Security.ClusterInternal]
    Task<int> ExpireIdleGroups();

    /// <summary>The shard that holds <paramref name="groupId"/>: a stable hash of its UTF-8 bytes (the same in every process).</summary>
    static IConsumerGroupDirectoryGrain ShardOf(IGrainFactory grains, string groupId) =>
        Shard(grains, (int)(XxHash32.HashToUInt32(Encoding.UTF8.GetBytes(groupId)) % ShardCount));

    static IConsumerGroupDirectoryGrain Shard(IGrainFactory grains, int shard) =>
        grains.GetGrain<IConsumerGroupDirectoryGrain>($"shard-{shard}");

    /// <summary>Every registered group id, in ordinal order, from every shard.</summary>
    static async Task<ImmutableArray<string>> ListAllAsync(IGrainFactory grains)
    {
        var shards = await Task.WhenAll(Enumerable.Range(0, ShardCount).Select(s => Shard(grains, s).List()));
        return [.. shards.SelectMany(s => s).Order(StringComparer.Ordinal)];
    }
}
