using Microsoft.Extensions.Time.Testing;
using OrleansLog.Partitions;
using OrleansLog.Server.Partitions;
using OrleansLog.Server.Replication;
using OrleansLog.Storage;
using OrleansLog.Testing;

namespace OrleansLog.Server.Tests.Partitions;

/// <summary>The leader's long poll on a real log, with time and the high watermark in the test's hands.</summary>
public sealed class LongPollFetchTests : IDisposable
{
    private const int FetchMaxBytes = 64 * 1024;

    private readonly TempDirectory _temp = new();
    private readonly FakeTimeProvider _time = new();
    private readonly PartitionLog _log;
    private readonly HighWatermark _highWatermark = new(0, new LocalReplica());

    public LongPollFetchTests() => _log = PartitionLog.Open(_temp.Sub("log"), new LogConfig());

    [Fact]
    public async Task A_fetch_with_nothing_below_the_high_watermark_waits_until_it_moves()
    {
        var waiting = Fetch(new FetchRequest(0, MinBytes: 1, MaxWaitMs: 30_000));
        Assert.False(waiting.IsCompleted);

        var appended = await _log.AppendAsync(Batches.Of("wake"));
        Assert.False(waiting.IsCompleted);
        _highWatermark.AdvanceTo(appended.NextOffset);

        var fetched = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([(0L, "wake")], Batches.Records(fetched.Records.Span));
        Assert.Equal(1, fetched.HighWatermark);
    }

    [Fact]
    public async Task A_fetch_that_finds_too_little_answers_with_what_there_is_at_max_wait()
    {
        var appended = await _log.AppendAsync(Batches.Of("small"));
        _highWatermark.AdvanceTo(appended.NextOffset);

        var waiting = Fetch(new FetchRequest(0, MinBytes: 1_000_000, MaxWaitMs: 500));
        Assert.False(waiting.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(500));

        var fetched = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([(0L, "small")], Batches.Records(fetched.Records.Span));
    }

    [Fact]
    public async Task A_fetch_at_the_end_answers_empty_at_max_wait()
    {
        var waiting = Fetch(new FetchRequest(0, MinBytes: 1, MaxWaitMs: 500));
        _time.Advance(TimeSpan.FromMilliseconds(500));

        var fetched = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(ErrorCode.None, fetched.Error);
        Assert.True(fetched.Records.IsEmpty);
        Assert.Equal(0, fetched.NextOffset);
    }

    [Fact]
    public async Task A_fetch_whose_term_ends_while_it_waits_gets_the_callers_error()
    {
        var waiting = Fetch(new FetchRequest(0, MinBytes: 1, MaxWaitMs: 30_000));

        _highWatermark.Close();

        var fetched = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(ErrorCode.NotLeaderOrFollower, fetched.Error);
    }

    [Fact]
    public async Task Offsets_outside_the_log_and_empty_sizes_are_refused()
    {
        Assert.Equal(ErrorCode.OffsetOutOfRange, (await Fetch(new FetchRequest(5))).Error);
        Assert.Equal(ErrorCode.InvalidFetchSize, (await Fetch(new FetchRequest(0, MaxBytes: 0))).Error);
    }

    [Fact]
    public async Task A_fetch_asking_for_more_than_the_brokers_budget_gets_at_most_the_budget()
    {
        for (var i = 0; i < 10; i++)
        {
            await _log.AppendAsync(Batches.Of(new string('x', 10_000)));
        }

        _highWatermark.AdvanceTo(_log.LogEndOffset);
        var fetched = await Fetch(new FetchRequest(0, MaxBytes: int.MaxValue));

        Assert.InRange(fetched.Records.Length, 1, FetchMaxBytes);
        Assert.Equal(Batches.Records(fetched.Records.Span).Count, fetched.NextOffset);
    }

    [Fact]
    public async Task A_batch_larger_than_the_budget_comes_whole_only_to_a_fetch_that_takes_one_batch_at_least()
    {
        await _log.AppendAsync(Batches.Of(new string('x', 2 * FetchMaxBytes)));
        _highWatermark.AdvanceTo(_log.LogEndOffset);

        var first = await Fetch(new FetchRequest(0, MaxBytes: 1000));
        var later = await Fetch(new FetchRequest(0, MaxBytes: 1000, MinBytes: 0, MinOneBatch: false));

        Assert.Equal([0L], Batches.Records(first.Records.Span).Select(r => r.Offset));
        Assert.True(later.Records.IsEmpty);
        Assert.Equal(1, later.HighWatermark);
    }

    [Fact]
    public async Task A_waiting_fetch_whose_next_batch_is_larger_than_its_limit_answers_at_once()
    {
        await _log.AppendAsync(Batches.Of(new string('x', 4000)));
        _highWatermark.AdvanceTo(_log.LogEndOffset);

        // Waiting cannot make the batch fit: the caller hears at once that there is more than it could take.
        var fetched = await Fetch(new FetchRequest(0, MaxBytes: 1000, MinBytes: 1, MaxWaitMs: 30_000, MinOneBatch: false)).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(ErrorCode.None, fetched.Error);
        Assert.True(fetched.Records.IsEmpty);
        Assert.Equal(0, fetched.NextOffset);
        Assert.Equal(1, fetched.HighWatermark);
    }

    public void Dispose()
    {
        _log.Dispose();
        _temp.Dispose();
    }

    private Task<FetchResponse> Fetch(FetchRequest request) =>
        LongPollFetch.ServeAsync(_log, _highWatermark, () => _highWatermark.Value, request, FetchMaxBytes, _time, () => new OrleansLogException(ErrorCode.NotLeaderOrFollower, "the term ended"));
}
