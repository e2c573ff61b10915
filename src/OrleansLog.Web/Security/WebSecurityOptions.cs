namespace OrleansLog.Web.Security;

/// <summary>Who may use the HTTP port (REST API, schema registry, console), bound from <c>OrleansLog:Web:Security</c>.</summary>
public sealed class WebSecurityOptions
{
    public const string SectionName = "OrleansLog:Web:Security";

    /// <summary>
    /// Whether every request must authenticate: HTTP Basic with a user of the cluster's SCRAM store, a bearer JWT of the
    /// issuer in <c>OrleansLog:OAuth</c>, or the console's sign-in cookie. Unset in the broker, it follows the broker's
    /// authorization (on once a Kafka listener uses SASL, or <c>OrleansLog:Authorization:Enabled</c>); the embedded
    /// loopback default leaves it off.
    /// </summary>
    public bool? RequireAuthentication { get; set; }

    /// <summary>Whether <c>/health/live</c> and <c>/health/ready</c> answer without credentials (on: Kubernetes' probes have none, and the answer says only up or down).</summary>
    public bool OpenHealth { get; set; } = true;

    /// <summary>Whether <c>/metrics</c> answers without credentials, for a Prometheus scraper that has none (off: metric labels name topics and groups).</summary>
    public bool OpenMetrics { get; set; }

    /// <summary>How many signed-in credentials (Basic and bearer) are remembered, so a client sending the same ones on every request is checked once per session.</summary>
    public int MaxCachedSessions { get; set; } = 10_000;
}
