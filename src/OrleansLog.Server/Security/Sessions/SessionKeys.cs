namespace OrleansLog.Server.Security.Sessions;

/// <summary>
/// This silo's copy of the cluster's session key, read from <see cref="ISessionKeyGrain"/> once and kept: the key never
/// changes. Thread-safe: concurrent first readers share one read; a failed read is tried again by the next caller.
/// </summary>
public sealed class SessionKeys(IGrainFactory grains)
{
    private Task<byte[]>? _key;

    public Task<byte[]> Key()
    {
        var key = Volatile.Read(ref _key);
        if (key is null || key.IsFaulted || key.IsCanceled)
        {
            var read = grains.GetGrain<ISessionKeyGrain>(ISessionKeyGrain.ClusterKey).Key();
            key = Interlocked.CompareExchange(ref _key, read, key) == key ? read : Volatile.Read(ref _key)!;
        }

        return key;
    }
}
