using System.Buffers;
using OrleansLog.Kafka.Handlers;
using OrleansLog.Partitions;

namespace OrleansLog.Kafka.Tests.Handlers;

/// <summary>
/// A connection's parked polls: a waiting poll is parked only where the partition has answered before, and answers its
/// fetch with no records at the offset it waits at; the next fetch takes it over only when it asks the same thing;
/// every other end stops it and hands its batches back.
/// </summary>
public sealed class ParkedPollsTests
{
    private static readonly TopicPartition P0 = new("t", 0);
    private static readonly TopicPartition P1 = new("t", 1);

    [Fact]
    public void A_poll_is_parked_only_for_a_partition_that_has_answered_and_answers_without_records_at_its_offset()
    {
        var parked = new ParkedPolls();
        var (poll, _) = Waiting(P0, offset: 7);
        Assert.Null(parked.Park(poll));

        parked.BeginRemembering();
        parked.Remember(P0, new FetchResponse(ErrorCode.None, FetchedBatches.Empty, 7, 3, 7));
        var answer = parked.Park(poll);

        Assert.NotNull(answer);
        Assert.Equal(ErrorCode.None, answer.Error);
        Assert.True(answer.Records.IsEmpty);
        Assert.Equal(7, answer.HighWatermark);
        Assert.Equal(7, answer.LastStableOffset);
        Assert.Equal(3, answer.LogStartOffset);
        Assert.Equal(1, parked.Count);
    }

    [Fact]
    public async Task The_next_fetch_asking_the_same_takes_the_poll_over_and_gets_its_answer()
    {
        var parked = Remembering(P0);
        var (poll, answer) = Waiting(P0, offset: 7);
        Assert.NotNull(parked.Park(poll));

        var taken = parked.TakeOver(P0, offset: 7, maxBytes: 1000, wholeBatch: true, IsolationLevel.ReadUncommitted);

        Assert.NotNull(taken);
        Assert.Same(poll, taken);
        Assert.Equal(0, parked.Count);
        var records = Records();
        answer.SetResult(new FetchResponse(ErrorCode.None, records, 8, 3, 8));
        Assert.Same(records, (await taken.Answer).Batches);
        Assert.False(taken.Stopped);
        Assert.Equal(64, records.Memory.Length);
    }

    [Theory]
    [InlineData(8, 1000, true, IsolationLevel.ReadUncommitted)]
    [InlineData(7, 500, true, IsolationLevel.ReadUncommitted)]
    [InlineData(7, 1000, false, IsolationLevel.ReadUncommitted)]
    [InlineData(7, 1000, true, IsolationLevel.ReadCommitted)]
    public void A_fetch_asking_anything_else_stops_the_poll_and_its_batches_go_back(long offset, int maxBytes, bool wholeBatch, IsolationLevel isolation)
    {
        var parked = Remembering(P0);
        var (poll, answer) = Waiting(P0, offset: 7);
        Assert.NotNull(parked.Park(poll));

        Assert.Null(parked.TakeOver(P0, offset, maxBytes, wholeBatch, isolation));

        Assert.True(poll.Stopped);
        var records = Records();
        answer.SetResult(new FetchResponse(ErrorCode.None, records, 8, 3, 8));
        Assert.Throws<ObjectDisposedException>(() => records.Memory);
    }

    [Fact]
    public void A_poll_whose_wait_ran_out_without_records_is_not_taken_over()
    {
        var parked = Remembering(P0);
        var (poll, answer) = Waiting(P0, offset: 7);
        Assert.NotNull(parked.Park(poll));
        answer.SetResult(new FetchResponse(ErrorCode.None, FetchedBatches.Empty, 7, 3, 7));

        Assert.Null(parked.TakeOver(P0, offset: 7, maxBytes: 1000, wholeBatch: true, IsolationLevel.ReadUncommitted));
    }

    [Fact]
    public void A_fetch_stops_the_polls_it_does_not_take_over()
    {
        var parked = Remembering(P0, P1);
        var (first, _) = Waiting(P0, offset: 7);
        var (second, _) = Waiting(P1, offset: 2);
        Assert.NotNull(parked.Park(first));
        Assert.NotNull(parked.Park(second));

        var taken = parked.TakeOver(P1, offset: 2, maxBytes: 1000, wholeBatch: true, IsolationLevel.ReadUncommitted);
        parked.StopAll();

        Assert.Same(second, taken);
        Assert.True(first.Stopped);
        Assert.False(second.Stopped);
        Assert.Equal(0, parked.Count);
    }

    [Fact]
    public void One_poll_a_partition_is_parked()
    {
        var parked = Remembering(P0);
        var (first, _) = Waiting(P0, offset: 7);
        var (second, _) = Waiting(P0, offset: 7);

        Assert.NotNull(parked.Park(first));
        Assert.Null(parked.Park(second));
        Assert.Equal(1, parked.Count);
    }

    [Fact]
    public void Closing_stops_every_parked_poll_and_parks_no_more()
    {
        var parked = Remembering(P0, P1);
        var (first, _) = Waiting(P0, offset: 7);
        Assert.NotNull(parked.Park(first));

        parked.Close();

        Assert.True(first.Stopped);
        Assert.Equal(0, parked.Count);
        Assert.Null(parked.Park(Waiting(P1, offset: 2).Poll));
    }

    [Fact]
    public void Only_the_partitions_of_the_last_fetch_are_remembered()
    {
        var parked = Remembering(P0);
        parked.BeginRemembering();
        parked.Remember(P1, new FetchResponse(ErrorCode.None, FetchedBatches.Empty, 2, 0, 2));

        Assert.Null(parked.Park(Waiting(P0, offset: 7).Poll));
        Assert.NotNull(parked.Park(Waiting(P1, offset: 2).Poll));
    }

    private static ParkedPolls Remembering(params TopicPartition[] partitions)
    {
        var parked = new ParkedPolls();
        parked.BeginRemembering();
        foreach (var partition in partitions)
        {
            parked.Remember(partition, new FetchResponse(ErrorCode.None, FetchedBatches.Empty, 7, 3, 7));
        }

        return parked;
    }

    /// <summary>A started poll whose answer the test gives.</summary>
    private static (PartitionPoll Poll, TaskCompletionSource<FetchResponse> Answer) Waiting(TopicPartition partition, long offset)
    {
        // Continuations run inline, so a stopped poll has handed its batches back once SetResult returns.
        var answer = new TaskCompletionSource<FetchResponse>();
        var poll = new PartitionPoll(partition, offset, maxBytes: 1000, wholeBatch: true, IsolationLevel.ReadUncommitted, _ => answer.Task).Start();
        return (poll, answer);
    }

    /// <summary>Batches in a rented array: reading them throws once it went back.</summary>
    private static FetchedBatches Records() => FetchedBatches.OfRented(ArrayPool<byte>.Shared.Rent(64), 64);
}
