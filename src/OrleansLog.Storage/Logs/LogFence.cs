namespace OrleansLog.Storage.Logs;

/// <summary>
/// Whether a partition log is offline, and why. The first failed write, flush or file operation fences
/// the log for good (a failed fsync is never retried: the page cache may already have dropped the data),
/// and closing it fences it too; every later call then fails with KAFKA_STORAGE_ERROR. Thread-safe: the
/// first cause wins.
/// </summary>
internal sealed class LogFence(string directory)
{
    private Exception? _cause;

    public bool IsFenced => Volatile.Read(ref _cause) is not null;

    public void Fence(Exception cause) => Interlocked.CompareExchange(ref _cause, cause, null);

    public void Close() => Fence(new ObjectDisposedException(nameof(PartitionLog)));

    public void ThrowIfFenced()
    {
        if (IsFenced)
        {
            throw Error();
        }
    }

    /// <summary>Runs a file operation; an I/O failure fences the log and surfaces as KAFKA_STORAGE_ERROR.</summary>
    public void Guard(Action operation)
    {
        try
        {
            operation();
        }
        catch (Exception e) when (IsStorageFailure(e))
        {
            throw FenceWith(e);
        }
    }

    /// <summary>Fences the log with <paramref name="cause"/> and returns the error to throw.</summary>
    public OrleansLogException FenceWith(Exception cause)
    {
        Fence(cause);
        return Error();
    }

    public OrleansLogException Error() => Volatile.Read(ref _cause) switch
    {
        ObjectDisposedException => new OrleansLogException(ErrorCode.KafkaStorageError, $"The log in {directory} is closed."),
        { } cause => new OrleansLogException(ErrorCode.KafkaStorageError, $"The log in {directory} is offline after an I/O failure: {cause.Message}", cause),
        null => new OrleansLogException(ErrorCode.KafkaStorageError, $"The log in {directory} failed."),
    };

    public static bool IsStorageFailure(Exception e) => e is IOException or UnauthorizedAccessException;
}
