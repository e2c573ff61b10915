using OrleansLog.Storage.Transactions;
using OrleansLog.Testing;

namespace OrleansLog.Storage.Tests;

public sealed class AbortedTransactionIndexTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string Dir => _temp.Sub("topic-0");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_read_collects_the_transactions_its_range_overlaps_and_stops_at_the_last_stable_offset()
    {
        using var log = PartitionLog.Open(Dir, new LogConfig());
        Append(log, 40);

        // Producer 1 aborted 2..5 (marker 6); producer 2 aborted 3..9 (marker 10), while producer 3's transaction was open from 8;
        // producer 3 aborted 8..20 (marker 21); producer 4 aborted 30..31 (marker 32).
        log.AppendAbortedTransaction(new(1, 2, 6, 3));
        log.AppendAbortedTransaction(new(2, 3, 10, 8));
        log.AppendAbortedTransaction(new(3, 8, 21, 22));
        log.AppendAbortedTransaction(new(4, 30, 32, 33));

        Assert.Equal([1L, 2], Producers(log.CollectAbortedTransactions(0, 8)));
        Assert.Equal([2L, 3], Producers(log.CollectAbortedTransactions(7, 12)));
        Assert.Equal([3L], Producers(log.CollectAbortedTransactions(11, 25)));
        Assert.Equal([3L, 4], Producers(log.CollectAbortedTransactions(21, 40)));
        Assert.Empty(log.CollectAbortedTransactions(33, 40));
        Assert.Empty(log.CollectAbortedTransactions(0, 2));
    }

    [Fact]
    public void Appending_again_at_or_below_the_newest_marker_changes_nothing()
    {
        using var log = PartitionLog.Open(Dir, new LogConfig());
        Append(log, 10);
        Assert.True(log.AppendAbortedTransaction(new(1, 0, 4, 5)));
        Assert.False(log.AppendAbortedTransaction(new(1, 0, 4, 5)));
        Assert.False(log.AppendAbortedTransaction(new(2, 1, 3, 4)));
        Assert.Equal(1, log.AbortedTransactionCount);
        Assert.Throws<ArgumentOutOfRangeException>(() => log.AppendAbortedTransaction(new(3, 5, 10, 11)));
    }

    [Fact]
    public void Entries_survive_a_reopen_and_go_with_a_truncation_of_their_markers()
    {
        using (var log = PartitionLog.Open(Dir, new LogConfig()))
        {
            Append(log, 20);
            log.AppendAbortedTransaction(new(1, 0, 5, 6));
            log.AppendAbortedTransaction(new(2, 7, 12, 13));
            log.FlushTransactionIndex();
        }

        using (var log = PartitionLog.Open(Dir, new LogConfig()))
        {
            Assert.Equal([1L, 2], Producers(log.CollectAbortedTransactions(0, 20)));
            log.TruncateTo(10);
            Assert.Equal([1L], Producers(log.CollectAbortedTransactions(0, 10)));
            Append(log, 10);
            Assert.True(log.AppendAbortedTransaction(new(3, 10, 15, 16)));
        }

        using (var reopened = PartitionLog.Open(Dir, new LogConfig()))
        {
            Assert.Equal([1L, 3], Producers(reopened.CollectAbortedTransactions(0, 20)));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task After_a_power_cut_no_entry_outlives_its_marker(int seed)
    {
        var fileSystem = new CrashingFileSystem();
        using (var log = PartitionLog.Open(Dir, new LogConfig(), fileSystem))
        {
            Append(log, 5);
            await log.FlushAsync();
            Append(log, 5);
            log.AppendAbortedTransaction(new(1, 2, 8, 9));
            log.FlushTransactionIndex();

            // The index entry is durable; the marker's batch may or may not be.
            fileSystem.Crash(new Random(seed));
        }

        using var reopened = PartitionLog.Open(Dir, new LogConfig(), fileSystem);
        Assert.InRange(reopened.LogEndOffset, 5, 10);
        Assert.Equal(reopened.LogEndOffset > 8 ? 1 : 0, reopened.AbortedTransactionCount);
        Assert.All(reopened.CollectAbortedTransactions(0, 10), e => Assert.True(e.LastOffset < reopened.LogEndOffset));
    }

    [Fact]
    public void Retention_trims_entries_below_the_log_start_once_they_are_most_of_the_file()
    {
        using var log = PartitionLog.Open(Dir, new LogConfig { SegmentBytes = 1024 });
        for (var i = 0; i < 30; i++)
        {
            log.Append(Batches.Of(new string('x', 200)));
            log.AppendAbortedTransaction(new(i, i, i, i + 1));
        }

        Assert.Equal(30, log.AbortedTransactionCount);
        var start = log.LogEndOffset - 3;
        log.DeleteRecordsBefore(start);
        Assert.True(log.LogStartOffset > 20);
        Assert.True(log.AbortedTransactionCount < 30 - 20);
        Assert.Equal(Enumerable.Range((int)log.LogStartOffset, 30 - (int)log.LogStartOffset).Select(i => (long)i), Producers(log.CollectAbortedTransactions(log.LogStartOffset, 30)));
    }

    private static void Append(PartitionLog log, int records)
    {
        for (var i = 0; i < records; i++)
        {
            log.Append(Batches.Of($"r{i}"));
        }
    }

    private static long[] Producers(List<AbortedTransactionEntry> entries) => [.. entries.Select(e => e.ProducerId)];
}
