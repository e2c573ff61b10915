using OrleansLog.Partitions;

namespace OrleansLog.Kafka.Handlers;

/// <summary>
/// A partition's long poll that its fetch may tell to stop waiting (see <see cref="FetchHandler"/>). A poll already
/// running in its grain answers at once with what is there. One still queued at the grain, behind produces of a busy
/// partition, is cancelled by Orleans before it runs (the caller gets <see cref="OperationCanceledException"/>, even
/// with <c>WaitForCancellationAcknowledgement</c>), and would reach the client as UNKNOWN_SERVER_ERROR, which a
/// Kafka consumer raises to its application: that partition is asked again, without waiting, for its answer.
/// Stateless.
/// </summary>
internal static class StoppablePoll
{
    public static async Task<FetchResponse> AskAsync(Func<CancellationToken, Task<FetchResponse>> poll, Func<Task<FetchResponse>> readNow, CancellationToken stopWaiting)
    {
        try
        {
            return await poll(stopWaiting).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopWaiting.IsCancellationRequested)
        {
            return await readNow().ConfigureAwait(false);
        }
    }
}
