namespace OrleansLog.Storage.Logs;

/// <summary>The directory lock of a log whose opener holds the lock over every log's parent directory: nothing to release.</summary>
internal sealed class HeldElsewhere : IDisposable
{
    public static HeldElsewhere Instance { get; } = new();

    public void Dispose()
    {
    }
}
