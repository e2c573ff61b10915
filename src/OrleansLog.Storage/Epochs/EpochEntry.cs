namespace OrleansLog.Storage.Epochs;

/// <summary>One line of a <see cref="LeaderEpochCache"/>: records from <paramref name="StartOffset"/> on were written by the leader of <paramref name="Epoch"/>.</summary>
public readonly record struct EpochEntry(int Epoch, long StartOffset);
