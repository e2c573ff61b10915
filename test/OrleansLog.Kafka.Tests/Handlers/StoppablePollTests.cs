using OrleansLog.Kafka.Handlers;
using OrleansLog.Partitions;

namespace OrleansLog.Kafka.Tests.Handlers;

/// <summary>A poll told to stop waiting answers with the partition's offsets, never with the cancellation as an error.</summary>
public sealed class StoppablePollTests
{
    private static readonly FetchResponse Waited = new(ErrorCode.None, FetchedBatches.Empty, 10, 0, 5);
    private static readonly FetchResponse ReadNow = new(ErrorCode.None, FetchedBatches.Empty, 12, 0, 5);

    [Fact]
    public async Task A_poll_cancelled_before_it_ran_is_asked_again_without_waiting()
    {
        using var stop = new CancellationTokenSource();
        var asked = 0;

        // As Orleans answers a call still queued at the grain when its token is cancelled.
        var answer = await StoppablePoll.AskAsync(
            async token =>
            {
                await stop.CancelAsync();
                token.ThrowIfCancellationRequested();
                return Waited;
            },
            () =>
            {
                asked++;
                return Task.FromResult(ReadNow);
            },
            stop.Token);

        Assert.Same(ReadNow, answer);
        Assert.Equal(1, asked);
    }

    [Fact]
    public async Task A_poll_that_answers_is_not_asked_again()
    {
        using var stop = new CancellationTokenSource();
        await stop.CancelAsync();

        var answer = await StoppablePoll.AskAsync(_ => Task.FromResult(Waited), () => throw new InvalidOperationException("asked again"), stop.Token);

        Assert.Same(Waited, answer);
    }

    [Fact]
    public async Task A_cancellation_the_fetch_did_not_ask_for_is_not_hidden()
    {
        using var stop = new CancellationTokenSource();

        await Assert.ThrowsAsync<OperationCanceledException>(() => StoppablePoll.AskAsync(
            _ => Task.FromException<FetchResponse>(new OperationCanceledException()),
            () => Task.FromResult(ReadNow),
            stop.Token));
    }
}
