using OrleansLog.Producers;

namespace OrleansLog.Server.Producers;

/// <summary>
/// The silo's view of which producer ids the cluster has handed out (<see cref="IProducerIdGrain.AllocatedUpTo"/>):
/// ids below the cached bound are allocated; an id at or above it makes one read of the bound (shared by
/// every caller while it is in flight), since the bound only grows. So a client cannot invent a producer id
/// and have the partition keep state for it.
/// <para>Concurrency: thread-safe (a silo singleton); the bound is read and raised atomically.</para>
/// </summary>
public sealed class AllocatedProducerIds(IGrainFactory grains) : IProducerIdAuthority
{
    private long _bound;
    private Task<long>? _refresh;

    public async ValueTask<bool> IsAllocated(long producerId)
    {
        if (producerId < 0)
        {
            return false;
        }

        if (producerId < Volatile.Read(ref _bound))
        {
            return true;
        }

        var refresh = Volatile.Read(ref _refresh);
        if (refresh is null || refresh.IsCompleted)
        {
            var started = grains.GetGrain<IProducerIdGrain>(IProducerIdGrain.ClusterKey).AllocatedUpTo();
            refresh = Interlocked.CompareExchange(ref _refresh, started, refresh) == refresh ? started : Volatile.Read(ref _refresh)!;
        }

        var bound = await refresh;
        for (var seen = Volatile.Read(ref _bound); bound > seen; seen = Volatile.Read(ref _bound))
        {
            Interlocked.CompareExchange(ref _bound, bound, seen);
        }

        return producerId < bound;
    }
}
