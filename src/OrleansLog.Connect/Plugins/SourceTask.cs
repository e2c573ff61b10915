using System.Text.Json.Nodes;
using OrleansLog.Connect.Config;
using OrleansLog.Connect.Data;

namespace OrleansLog.Connect.Plugins;

/// <summary>
/// A source task (Kafka Connect's SourceTask): started with its configuration and the offsets committed for its source
/// partitions, then polled for records. The runtime writes each poll's records and their offsets in one transaction,
/// then calls <see cref="CommitAsync"/>. Called from one loop at a time: not thread-safe.
/// </summary>
public abstract class SourceTask : IAsyncDisposable
{
    public abstract Task StartAsync(ConnectConfig config, ISourceOffsets offsets, CancellationToken cancellationToken);

    /// <summary>The next records; may wait a while for them, and answers an empty list when there are none yet.</summary>
    public abstract Task<IReadOnlyList<SourceRecord>> PollAsync(CancellationToken cancellationToken);

    /// <summary>Called once <paramref name="records"/> and their offsets are durably in the log (a database's slot can move on).</summary>
    public virtual Task CommitAsync(IReadOnlyList<SourceRecord> records, CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}

/// <summary>The committed offsets of a connector's source partitions.</summary>
public interface ISourceOffsets
{
    /// <summary>The last committed offset of <paramref name="partition"/>, or null when nothing was committed for it.</summary>
    JsonObject? OffsetOf(JsonObject partition);
}
