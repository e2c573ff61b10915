using OrleansLog.Records;
using OrleansLog.Storage.Compaction;
using OrleansLog.Testing;

namespace OrleansLog.Storage.Tests.Compaction;

/// <summary>The cleaner and transactions: aborted data goes, markers go once their transaction has no data left.</summary>
public sealed class TransactionCleaningTests : IDisposable
{
    private const long Time = 1_000;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Aborted_data_goes_at_once_its_marker_a_pass_later_and_a_commit_marker_stays_while_its_data_does()
    {
        using var log = PartitionLog.Open(_temp.Sub("tx-0"), new LogConfig { Compact = true, SegmentBytes = 1_000, DeleteRetentionMs = 0 });
        var a = log.Append(Transactional(1, 0, ("k1", "a1"), ("k2", "a2"))).FirstOffset;
        var b = log.Append(Transactional(2, 0, ("k3", "b3"), ("k4", "b4"))).FirstOffset;
        var commitA = log.AppendMarker(Marker(1, commit: true), 0).FirstOffset;
        var abortB = log.AppendMarker(Marker(2, commit: false), 0).FirstOffset;
        log.AppendAbortedTransaction(new(2, b, abortB, abortB + 1));
        log.Append(Idempotent(2, 2, ("k5", "after")));
        log.Append(Transactional(1, 2, ("k1", "c1")));
        var commitC = log.AppendMarker(Marker(1, commit: true), 0).FirstOffset;
        Fill(log, "f", 40);

        Assert.True((await log.CleanAsync(new OffsetMap(1 << 16), log.LogEndOffset)).Cleaned);
        var first = Batches(log);
        Assert.DoesNotContain(first, x => x.ProducerId == 2 && x.Transactional && !x.Control);
        Assert.Contains(first, x => x.Offset == abortB);
        Assert.Contains(first, x => x.Offset == commitA);
        Assert.Contains(first, x => x.Offset == commitC);
        Assert.DoesNotContain(first, x => x.Offset == a && x.Records == 2);

        // Another pass: the aborted transaction has no data left, so its marker goes; k2 of the first transaction stays, so its marker does.
        Fill(log, "f", 40);
        Assert.True((await log.CleanAsync(new OffsetMap(1 << 16), log.LogEndOffset)).Cleaned);
        var second = Batches(log);
        Assert.DoesNotContain(second, x => x.Offset == abortB);

        // Its index entry went with it: a reader that met the entry without the marker would skip the producer's later transactions.
        Assert.Empty(log.CollectAbortedTransactions(log.LogStartOffset, log.LogEndOffset));
        Assert.Contains(second, x => x.Offset == commitA);
        Assert.Contains(second, x => x.Offset == commitC);
        AssertEveryTransactionalBatchIsFollowedByItsMarker(second);
    }

    [Fact]
    public async Task An_aborted_record_never_removes_the_committed_record_of_its_key()
    {
        using var log = PartitionLog.Open(_temp.Sub("shadow-0"), new LogConfig { Compact = true, SegmentBytes = 1_000, DeleteRetentionMs = 0 });
        log.Append(OrleansLog.Testing.Batches.Keyed(CompressionType.None, Time, [("k", "committed")]));
        var aborted = log.Append(Transactional(1, 0, ("k", "aborted"))).FirstOffset;
        var marker = log.AppendMarker(Marker(1, commit: false), 0).FirstOffset;
        log.AppendAbortedTransaction(new(1, aborted, marker, marker + 1));
        Fill(log, "f", 40);

        Assert.True((await log.CleanAsync(new OffsetMap(1 << 16), log.LogEndOffset)).Cleaned);
        Assert.Equal("committed", ValueOf(log, "k"));
    }

    [Fact]
    public async Task Nothing_from_an_open_transaction_on_is_cleaned_until_it_ends()
    {
        using var log = PartitionLog.Open(_temp.Sub("open-0"), new LogConfig { Compact = true, SegmentBytes = 1_000, DeleteRetentionMs = 0 });
        log.Append(OrleansLog.Testing.Batches.Keyed(CompressionType.None, Time, [("k", "committed")]));
        Fill(log, "f", 20);
        var open = log.Append(Transactional(1, 0, ("k", "maybe"))).FirstOffset;
        Fill(log, "f", 40);

        // Cleaned below the open transaction only: "committed" stays, whatever the transaction becomes.
        await log.CleanAsync(new OffsetMap(1 << 16), log.LogEndOffset);
        Assert.Equal(["committed", "maybe"], ValuesOf(log, "k"));

        var marker = log.AppendMarker(Marker(1, commit: false), 0).FirstOffset;
        log.AppendAbortedTransaction(new(1, open, marker, marker + 1));
        Fill(log, "g", 40);
        Assert.True((await log.CleanAsync(new OffsetMap(1 << 16), log.LogEndOffset)).Cleaned);
        Assert.Equal(["committed"], ValuesOf(log, "k"));
    }

    private static string? ValueOf(PartitionLog log, string key) => ValuesOf(log, key).LastOrDefault();

    /// <summary>Every value of <paramref name="key"/> left in the log, in offset order, aborted or not.</summary>
    private static List<string> ValuesOf(PartitionLog log, string key)
    {
        var values = new List<string>();
        for (var offset = log.LogStartOffset; offset < log.LogEndOffset;)
        {
            using var read = log.Read(offset, 1 << 20);
            var batches = read.Records.Span;
            while (batches.Length >= RecordBatchLayout.HeaderSize)
            {
                var header = RecordBatchHeader.Read(batches);
                if (!header.IsControl)
                {
                    using var reader = new RecordReader(batches[..header.SizeInBytes]);
                    while (reader.TryReadNext(out var record))
                    {
                        if (record.HasKey && System.Text.Encoding.UTF8.GetString(record.Key) == key)
                        {
                            values.Add(System.Text.Encoding.UTF8.GetString(record.Value));
                        }
                    }
                }

                batches = batches[header.SizeInBytes..];
            }

            offset = read.NextOffset;
        }

        return values;
    }

    private static void AssertEveryTransactionalBatchIsFollowedByItsMarker(List<(long Offset, long ProducerId, bool Transactional, bool Control, int Records)> batches)
    {
        foreach (var batch in batches.Where(b => b.Transactional && !b.Control))
        {
            Assert.Contains(batches, later => later.Control && later.ProducerId == batch.ProducerId && later.Offset > batch.Offset);
        }
    }

    private static List<(long Offset, long ProducerId, bool Transactional, bool Control, int Records)> Batches(PartitionLog log)
    {
        var found = new List<(long, long, bool, bool, int)>();
        for (var offset = log.LogStartOffset; offset < log.LogEndOffset;)
        {
            using var read = log.Read(offset, 1 << 20);
            var batches = read.Records.Span;
            while (batches.Length >= RecordBatchLayout.HeaderSize)
            {
                var header = RecordBatchHeader.Read(batches);
                found.Add((header.BaseOffset, header.ProducerId, header.IsTransactional, header.IsControl, header.RecordCount));
                batches = batches[header.SizeInBytes..];
            }

            offset = read.NextOffset;
        }

        return found;
    }

    private static void Fill(PartitionLog log, string prefix, int count)
    {
        for (var i = 0; i < count; i++)
        {
            log.Append(OrleansLog.Testing.Batches.Keyed(CompressionType.None, Time, [($"{prefix}{i}", new string('x', 60))]));
        }
    }

    private static byte[] Transactional(long producerId, int sequence, params (string Key, string Value)[] records) =>
        Build(new RecordBatchBuilder { ProducerId = producerId, ProducerEpoch = 0, BaseSequence = sequence, IsTransactional = true }, records);

    private static byte[] Idempotent(long producerId, int sequence, params (string Key, string Value)[] records) =>
        Build(new RecordBatchBuilder { ProducerId = producerId, ProducerEpoch = 0, BaseSequence = sequence }, records);

    private static byte[] Build(RecordBatchBuilder builder, (string Key, string Value)[] records)
    {
        using (builder)
        {
            foreach (var (key, value) in records)
            {
                builder.Add(Time, System.Text.Encoding.UTF8.GetBytes(key), System.Text.Encoding.UTF8.GetBytes(value));
            }

            return builder.Build().ToArray();
        }
    }

    private static byte[] Marker(long producerId, bool commit) =>
        new TransactionMarker(commit ? ControlRecordType.Commit : ControlRecordType.Abort, 0).ToBatch(producerId, 0, Time);
}
