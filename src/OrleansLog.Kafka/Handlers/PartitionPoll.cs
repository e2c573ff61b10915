using OrleansLog.Partitions;

namespace OrleansLog.Kafka.Handlers;

/// <summary>
/// One partition's poll in flight (see <see cref="FetchHandler"/>): what it asked, its answer to come, and how to tell it
/// to stop waiting. Whoever holds it owns the answer: the fetch that uses it, or <see cref="ParkedPolls"/> while parked;
/// and disposes it once the answer is in.
/// </summary>
internal sealed class PartitionPoll(TopicPartition partition, long offset, int maxBytes, bool wholeBatch, IsolationLevel isolation, Func<CancellationToken, Task<FetchResponse>> ask) : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task<FetchResponse>? _answer;

    public TopicPartition Partition { get; } = partition;

    public long Offset { get; } = offset;

    /// <summary>The most record bytes it may bring (beyond it, one whole batch if <see cref="WholeBatch"/>).</summary>
    public int MaxBytes { get; } = maxBytes;

    public bool WholeBatch { get; } = wholeBatch;

    public IsolationLevel Isolation { get; } = isolation;

    /// <summary>The partition's answer: at once when it has records at <see cref="Offset"/>, else when some arrive, its wait runs out or it is stopped.</summary>
    public Task<FetchResponse> Answer => _answer ?? throw new InvalidOperationException("The poll has not started.");

    /// <summary>Asks the partition; returns this poll.</summary>
    public PartitionPoll Start()
    {
        _answer = ask(_stop.Token);
        return this;
    }

    /// <summary>Whether it was told to stop waiting.</summary>
    public bool Stopped => _stop.IsCancellationRequested;

    /// <summary>Tells the poll to answer at once.</summary>
    public void Stop() => _stop.Cancel();

    /// <summary>Tells the poll to answer at once, and hands its batches back to their pool when it does: nobody will read them.</summary>
    public void StopAndRelease()
    {
        _stop.Cancel();
        _ = Answer.ContinueWith(
            static (answer, poll) =>
            {
                if (answer.IsCompletedSuccessfully)
                {
                    answer.Result.Dispose();
                }

                ((PartitionPoll)poll!).Dispose();
            },
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    public void Dispose() => _stop.Dispose();
}
