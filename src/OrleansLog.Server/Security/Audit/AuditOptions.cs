namespace OrleansLog.Server.Security.Audit;

/// <summary>The security audit trail, bound from <c>OrleansLog:Audit</c>.</summary>
public sealed class AuditOptions
{
    public const string SectionName = "OrleansLog:Audit";

    /// <summary>Whether audit events are logged (category <c>OrleansLog.Audit</c>).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>A topic every audit event is also appended to, as one JSON record each (created with one partition if missing); unset, none.</summary>
    public string? Topic { get; set; }

    /// <summary>Events held for the topic at once; beyond it new ones are dropped from the topic (still logged) and counted.</summary>
    public int MaxQueuedEvents { get; set; } = 10_000;
}
