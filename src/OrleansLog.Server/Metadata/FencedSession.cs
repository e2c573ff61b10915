namespace OrleansLog.Server.Metadata;

/// <summary>A broker whose session the coordinator fenced: its silo, how long it had been silent, and whether it was found gone (no connection could be opened; else its session lapsed).</summary>
public sealed record FencedSession(int BrokerId, SiloAddress Silo, TimeSpan Silent, bool FoundGone = false);
