namespace OrleansLog.Storage;

/// <summary>What an append wrote: the offsets it assigned and the largest timestamp it carried.</summary>
public readonly record struct LogAppendInfo(long FirstOffset, long LastOffset, long MaxTimestamp, int BatchCount, int SizeInBytes)
{
    public long NextOffset => LastOffset + 1;
}
