namespace OrleansLog.Storage.Retention;

/// <summary>How many of the oldest segments to delete, and whether to roll an expired active segment first.</summary>
internal readonly record struct RetentionPlan(int SegmentsToDelete, bool RollActive);
