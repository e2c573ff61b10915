namespace OrleansLog.Records;

/// <summary>One line of a leader-epoch history (the storage engine's leader-epoch cache, a follower's reconcile request): records from <paramref name="StartOffset"/> on were written by the leader of <paramref name="Epoch"/>.</summary>
public readonly record struct EpochEntry(int Epoch, long StartOffset);
