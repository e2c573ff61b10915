namespace OrleansLog.TransactionProcessor;

/// <summary>A newer processor with the same transactional id took over: this one must stop.</summary>
internal sealed class FencedException(string message) : Exception(message);
