namespace OrleansLog.Records;

/// <summary>Whether a batch's timestamps were set by the producer or by the broker (attribute bit 3).</summary>
public enum TimestampType : byte
{
    CreateTime = 0,
    LogAppendTime = 1,
}
