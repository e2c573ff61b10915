using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLog.Security;

namespace OrleansLog.Server.Security.Quotas;

/// <summary>
/// This broker's client quotas: the cluster's quotas (read again when their version moves, every
/// <see cref="QuotaOptions.RefreshInterval"/>, and at once after a change made here) and one <see cref="RateSensor"/>
/// per metered user and client id. Recording a request's bytes or time gives the time its client must be throttled.
/// Quotas are per broker, as Kafka's are. With no quota set nothing is metered or held.
/// <para>Concurrency: thread-safe; records take the sensor's lock only; the refresh loop swaps the quotas whole.</para>
/// </summary>
public sealed partial class ClientQuotaManager(IGrainFactory grains, IOptions<QuotaOptions> options, TimeProvider time, Diagnostics.BrokerMetrics metrics, ILogger<ClientQuotaManager> logger)
    : ClusterStateCache(time)
{
    private const string Overflow = "<overflow>";

    private readonly ConcurrentDictionary<(string Key, ClientQuotaEntity Metered), RateSensor> _sensors = new();
    private ClientQuotas _quotas = ClientQuotas.None;
    private long _lastSweep;

    /// <summary>Rates currently kept.</summary>
    public int MeteredClients => _sensors.Count;

    private IClientQuotaStoreGrain Store => grains.GetGrain<IClientQuotaStoreGrain>(IClientQuotaStoreGrain.ClusterKey);

    /// <summary>
    /// Records <paramref name="value"/> (bytes, or milliseconds of request time) against the <paramref name="key"/> quota
    /// of <paramref name="principal"/> ("User:name") with <paramref name="clientId"/>; the throttle time in milliseconds,
    /// 0 when within the quota or when none applies.
    /// </summary>
    public long RecordAndThrottle(string key, string principal, string clientId, double value)
    {
        var quotas = Volatile.Read(ref _quotas);
        if (quotas.IsEmpty)
        {
            return 0;
        }

        var colon = principal.IndexOf(':', StringComparison.Ordinal);
        var user = colon >= 0 ? principal[(colon + 1)..] : principal;
        if (quotas.Find(user, clientId, key) is not { } found)
        {
            return 0;
        }

        var sensorKey = (key, found.Metered);
        var windowMs = (long)options.Value.WindowSize.TotalMilliseconds;
        if (!_sensors.TryGetValue(sensorKey, out var sensor))
        {
            // Past the bound, new clients share one rate: a client inventing ids is throttled sooner, never later.
            sensorKey = _sensors.Count < options.Value.MaxMeteredClients ? sensorKey : (key, new ClientQuotaEntity(Overflow, Overflow));
            sensor = _sensors.GetOrAdd(sensorKey, static (_, o) => new RateSensor(o.WindowCount, (long)o.WindowSize.TotalMilliseconds), options.Value);
        }

        var throttle = sensor.RecordAndThrottle(value, NowMs(), found.Quota);
        if (throttle > 0)
        {
            metrics.Throttled(key, throttle);
        }

        return throttle;
    }

    protected override TimeSpan Interval => options.Value.RefreshInterval;

    protected override Task<long> StoreVersion() => Store.Version();

    protected override async Task<long> Load()
    {
        var snapshot = await Store.Snapshot();
        Volatile.Write(ref _quotas, new ClientQuotas(snapshot.Entries));
        LogQuotasRead(snapshot.Entries.Length, snapshot.Version);
        return snapshot.Version;
    }

    /// <summary>Rates idle for <see cref="QuotaOptions.IdleExpiry"/> are dropped with each refresh.</summary>
    protected override void BeforeRefresh() => SweepIdle();

    // With no quotas read yet nothing is throttled: quotas protect the broker from heavy clients, they do not deny.
    protected override void RefreshFailed(Exception exception) => LogRefreshFailed(exception.Message);

    private void SweepIdle()
    {
        var now = NowMs();
        var idleMs = (long)options.Value.IdleExpiry.TotalMilliseconds;
        if (now - _lastSweep < Math.Min(idleMs, 60_000))
        {
            return;
        }

        _lastSweep = now;
        foreach (var (key, sensor) in _sensors)
        {
            if (now - sensor.LastRecordMs > idleMs)
            {
                _sensors.TryRemove(key, out _);
            }
        }
    }

    private long NowMs() => (long)(Time.GetTimestamp() * 1000.0 / Time.TimestampFrequency);

    [LoggerMessage(Level = LogLevel.Information, Message = "Client quotas read: {Entities} entities with quotas (version {Version}).")]
    private partial void LogQuotasRead(int entities, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the cluster's client quotas ({Message}); the last ones read stay in force.")]
    private partial void LogRefreshFailed(string message);
}
