namespace OrleansLog.Storage;

/// <summary>
/// What opening a log found: whether the last shutdown was unclean, how many bytes of torn or corrupt
/// tail were cut, and how many sealed segments had a missing or damaged index that was rebuilt.
/// </summary>
public readonly record struct LogRecoveryInfo(bool WasUnclean, long TruncatedBytes, int RebuiltIndexes);
