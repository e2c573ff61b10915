namespace OrleansLog.Server.Security.Quotas;

/// <summary>How client quotas are measured, bound from <c>OrleansLog:Quotas</c> (Kafka's names in comments).</summary>
public sealed class QuotaOptions
{
    public const string SectionName = "OrleansLog:Quotas";

    /// <summary>Windows a rate is measured over (<c>quota.window.num</c>).</summary>
    public int WindowCount { get; set; } = 11;

    /// <summary>The length of each window (<c>quota.window.size.seconds</c>).</summary>
    public TimeSpan WindowSize { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often each broker checks the quotas' version (a change made through this broker applies at once).</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Rates kept at once, one per user and client id a quota meters: a hostile client inventing client ids cannot
    /// make the broker hold more. Beyond it, new clients share one rate (so they are throttled sooner, never later).
    /// </summary>
    public int MaxMeteredClients { get; set; } = 100_000;

    /// <summary>A rate not recorded to for this long is dropped (Kafka expires its quota sensors after an hour).</summary>
    public TimeSpan IdleExpiry { get; set; } = TimeSpan.FromHours(1);
}
