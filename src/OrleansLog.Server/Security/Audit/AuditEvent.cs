namespace OrleansLog.Server.Security.Audit;

/// <summary>
/// One security event: who (<paramref name="Principal"/>, from <paramref name="ClientAddress"/>) did or tried
/// <paramref name="Action"/> on <paramref name="Resource"/> ("Topic:orders", "Group:billing", "Cluster:kafka-cluster",
/// "User:alice"), and how it ended (<paramref name="Outcome"/>: succeeded, denied, failed), with a detail for people.
/// </summary>
public sealed record AuditEvent(DateTimeOffset Time, string Action, string Principal, string ClientAddress, string Resource, string Outcome, string? Detail)
{
    public const string Succeeded = "succeeded";
    public const string Denied = "denied";
    public const string Failed = "failed";
}
