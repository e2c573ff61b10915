namespace OrleansLog.Client.Admin;

public enum OffsetResetKind
{
    Earliest,
    Latest,
    Timestamp,
    Offset,
}
