namespace OrleansLog.Server.Security;

/// <summary>
/// A broker's copy of cluster-wide state kept in a versioned store grain (ACLs, client quotas): <see cref="RefreshAsync"/>
/// reads it again when the store's version moved; once the silo is active a loop refreshes every <see cref="Interval"/>
/// until the silo stops, and a refresh that fails keeps what was read last.
/// <para>Concurrency: thread-safe; one refresh at a time (the loop's, or one asked for after a change made here).</para>
/// </summary>
public abstract class ClusterStateCache(TimeProvider time) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private long _version = -1;

    /// <summary>The broker's clock.</summary>
    protected TimeProvider Time { get; } = time;

    /// <summary>How often the loop refreshes.</summary>
    protected abstract TimeSpan Interval { get; }

    /// <summary>Whether the loop runs at all (ACLs are not read while authorization is off).</summary>
    protected virtual bool Runs => true;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(GetType().Name, ServiceLifecycleStage.Active, Start, Stop);

    /// <summary>Reads the state again if the store's version moved.</summary>
    public async Task RefreshAsync()
    {
        await _refreshing.WaitAsync();
        try
        {
            BeforeRefresh();
            if (await StoreVersion() != _version)
            {
                _version = await Load();
            }
        }
        finally
        {
            _refreshing.Release();
        }
    }

    public void Dispose()
    {
        _stopping.Dispose();
        _refreshing.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>The store's current version.</summary>
    protected abstract Task<long> StoreVersion();

    /// <summary>Reads the store's state, puts it in force, and returns the version read.</summary>
    protected abstract Task<long> Load();

    /// <summary>Housekeeping done with each refresh, before the version is checked.</summary>
    protected virtual void BeforeRefresh()
    {
    }

    /// <summary>Called once as the loop starts.</summary>
    protected virtual void Starting()
    {
    }

    /// <summary>A refresh failed; what was read last stays in force.</summary>
    protected abstract void RefreshFailed(Exception exception);

    private Task Start(CancellationToken cancellationToken)
    {
        if (Runs)
        {
            Starting();
            _ = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    private Task Stop(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        return Task.CompletedTask;
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await RefreshAsync();
            }
            catch (Exception e) when (!stopping.IsCancellationRequested)
            {
                RefreshFailed(e);
            }

            try
            {
                await Task.Delay(Interval, Time, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
