using OrleansLog.Connect.Config;
using OrleansLog.Connect.Data;

namespace OrleansLog.Connect.Plugins;

/// <summary>
/// A sink task (Kafka Connect's SinkTask): handed batches of records, then asked to flush. The runtime commits the
/// consumer group's offsets only after <see cref="FlushAsync"/> returned, so what a flush made durable is never read
/// again and nothing unflushed is ever skipped. Called from one loop at a time: not thread-safe.
/// </summary>
public abstract class SinkTask : IAsyncDisposable
{
    public abstract Task StartAsync(ConnectConfig config, CancellationToken cancellationToken);

    public abstract Task PutAsync(IReadOnlyList<SinkRecord> records, CancellationToken cancellationToken);

    /// <summary>Makes every record put so far durable outside.</summary>
    public abstract Task FlushAsync(CancellationToken cancellationToken);

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}

/// <summary>A failure worth trying again (a database or service briefly unreachable): retried with backoff up to <c>errors.retry.timeout</c>.</summary>
public sealed class RetriableConnectException(string message, Exception? inner = null) : Exception(message, inner);
