namespace OrleansLog.Storage;

/// <summary>
/// What an append wrote: the offsets it assigned, the largest timestamp it carried, and the time the log
/// stamped on it when the log keeps <c>LogAppendTime</c> (otherwise -1).
/// </summary>
public readonly record struct LogAppendInfo(long FirstOffset, long LastOffset, long MaxTimestamp, int BatchCount, int SizeInBytes, long LogAppendTime = -1)
{
    public long NextOffset => LastOffset + 1;
}
