namespace OrleansLog.Server.Metadata;

/// <summary>A broker whose session the coordinator fenced: its silo, and how long it had been silent.</summary>
public sealed record FencedSession(int BrokerId, SiloAddress Silo, TimeSpan Silent);
