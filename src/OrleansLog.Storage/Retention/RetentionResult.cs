namespace OrleansLog.Storage.Retention;

/// <summary>What one retention run deleted, and where the log now starts.</summary>
public readonly record struct RetentionResult(int DeletedSegments, long DeletedBytes, long LogStartOffset);
