using System.Text;
using OrleansLog.Records;
using OrleansLog.Storage.Compaction;
using OrleansLog.Storage.Transactions;
using OrleansLog.Testing;

namespace OrleansLog.Storage.Tests.Compaction;

/// <summary>
/// The cleaner against a model, with transactions: random plain and transactional appends by a few producers, commits and
/// aborts, rolls and passes. After every pass, a read_committed reader of the log (Kafka's consumer rule: the aborted
/// index and the markers) finds each key's newest committed value the model has, the open transactions' records are all
/// still there, and every transactional batch left is followed by its marker unless its transaction is open.
/// </summary>
public sealed class TransactionCleaningModelTests : IDisposable
{
    private const int Producers = 4;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public async Task A_read_committed_view_of_each_keys_newest_value_survives_every_pass(int seed)
    {
        var random = new Random(seed);
        using var log = PartitionLog.Open(_temp.Sub($"model-{seed}"), new LogConfig { Compact = true, SegmentBytes = random.Next(600, 2_000), DeleteRetentionMs = 0 });
        // Each key's committed (or plain) record with the highest offset, as compaction and a read_committed reader see it.
        var newest = new Dictionary<string, (long Offset, string Value)>(StringComparer.Ordinal);
        var open = new Dictionary<long, (long FirstOffset, Dictionary<string, (long Offset, string Value)> Writes, List<long> Offsets)>();
        var sequences = new int[Producers + 1];
        for (var step = 0; step < 250; step++)
        {
            var producer = random.Next(1, Producers + 1);
            var key = $"k{random.Next(12)}";
            var value = $"v{step}";
            switch (random.Next(10))
            {
                case < 3:
                    newest[key] = (log.Append(OrleansLog.Testing.Batches.Keyed(CompressionType.None, 1_000, [(key, value)])).FirstOffset, value);
                    break;
                case < 6:
                    var written = log.Append(Transactional(producer, sequences[producer]++, key, value)).FirstOffset;
                    if (!open.TryGetValue(producer, out var transaction))
                    {
                        transaction = (written, new Dictionary<string, (long, string)>(StringComparer.Ordinal), []);
                        open[producer] = transaction;
                    }

                    transaction.Writes[key] = (written, value);
                    transaction.Offsets.Add(written);
                    break;
                case < 8 when open.Remove(producer, out var ending):
                    var commit = random.Next(2) == 0;
                    var marker = log.AppendMarker(new TransactionMarker(commit ? ControlRecordType.Commit : ControlRecordType.Abort, 0).ToBatch(producer, 0, 1_000), 0).FirstOffset;
                    if (commit)
                    {
                        foreach (var (k, write) in ending.Writes)
                        {
                            if (!newest.TryGetValue(k, out var known) || known.Offset < write.Offset)
                            {
                                newest[k] = write;
                            }
                        }
                    }
                    else
                    {
                        var stable = open.Count == 0 ? marker + 1 : Math.Min(marker + 1, open.Values.Min(o => o.FirstOffset));
                        log.AppendAbortedTransaction(new AbortedTransactionEntry(producer, ending.FirstOffset, marker, stable));
                    }

                    break;
                case 8:
                    log.Roll();
                    break;
                default:
                    await log.CleanAsync(new OffsetMap(1 << 16), log.LogEndOffset);
                    Check(log, newest, open);
                    break;
            }
        }

        await log.CleanAsync(new OffsetMap(1 << 16), log.LogEndOffset);
        Check(log, newest, open);
    }

    private static void Check(PartitionLog log, Dictionary<string, (long Offset, string Value)> newest, Dictionary<long, (long FirstOffset, Dictionary<string, (long Offset, string Value)> Writes, List<long> Offsets)> open)
    {
        var batches = ReadBatches(log);
        var aborted = new Queue<AbortedTransactionEntry>(log.CollectAbortedTransactions(log.LogStartOffset, log.LogEndOffset).OrderBy(a => a.FirstOffset));
        var aborting = new HashSet<long>();
        var visible = new Dictionary<string, string>(StringComparer.Ordinal);
        var present = new HashSet<long>();
        foreach (var (header, records) in batches)
        {
            while (aborted.TryPeek(out var next) && next.FirstOffset <= header.LastOffset)
            {
                aborting.Add(aborted.Dequeue().ProducerId);
            }

            if (header.IsControl)
            {
                aborting.Remove(header.ProducerId);
                continue;
            }

            foreach (var (offset, key, value) in records)
            {
                present.Add(offset);
                var openHere = header.IsTransactional && open.ContainsKey(header.ProducerId) && offset >= open[header.ProducerId].FirstOffset;
                if (!openHere && !(header.IsTransactional && aborting.Contains(header.ProducerId)))
                {
                    visible[key] = value;
                }
            }

            if (header.IsTransactional && (!open.TryGetValue(header.ProducerId, out var current) || header.BaseOffset < current.FirstOffset))
            {
                Assert.Contains(batches, later => later.Header.IsControl && later.Header.ProducerId == header.ProducerId && later.Header.BaseOffset > header.BaseOffset);
            }
        }

        Assert.Equal(newest.Select(p => (p.Key, p.Value.Value)).OrderBy(p => p.Key, StringComparer.Ordinal), visible.Select(p => (p.Key, p.Value)).OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.All(open.Values.SelectMany(o => o.Offsets), offset => Assert.Contains(offset, present));
    }

    private static List<(RecordBatchHeader Header, List<(long Offset, string Key, string Value)> Records)> ReadBatches(PartitionLog log)
    {
        var found = new List<(RecordBatchHeader, List<(long, string, string)>)>();
        for (var offset = log.LogStartOffset; offset < log.LogEndOffset;)
        {
            using var read = log.Read(offset, 1 << 20);
            var batches = read.Records.Span;
            while (batches.Length >= RecordBatchLayout.HeaderSize)
            {
                var header = RecordBatchHeader.Read(batches);
                var records = new List<(long, string, string)>();
                if (!header.IsControl)
                {
                    using var reader = new RecordReader(batches[..header.SizeInBytes]);
                    while (reader.TryReadNext(out var record))
                    {
                        records.Add((record.Offset, Encoding.UTF8.GetString(record.Key), Encoding.UTF8.GetString(record.Value)));
                    }
                }

                found.Add((header, records));
                batches = batches[header.SizeInBytes..];
            }

            offset = read.NextOffset;
        }

        return found;
    }

    private static byte[] Transactional(long producerId, int sequence, string key, string value)
    {
        using var builder = new RecordBatchBuilder { ProducerId = producerId, ProducerEpoch = 0, BaseSequence = sequence, IsTransactional = true };
        builder.Add(1_000, Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value));
        return builder.Build().ToArray();
    }
}
