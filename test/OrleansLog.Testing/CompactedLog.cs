using System.Text;
using OrleansLog.Records;
using OrleansLog.Storage;

namespace OrleansLog.Testing;

/// <summary>One record of a compacted log as plain values (a null value is a tombstone).</summary>
public sealed record KeyedRecord(long Offset, string Key, string? Value, long Timestamp);

/// <summary>A compacted log's records read back as plain values, for the compaction tests.</summary>
public static class CompactedLog
{
    /// <summary>Every record from the log start to the end, in order, and the number of batches holding no record.</summary>
    public static (List<KeyedRecord> Records, int EmptyBatches) ReadAll(PartitionLog log)
    {
        var records = new List<KeyedRecord>();
        var empty = 0;
        var offset = log.LogStartOffset;
        while (offset < log.LogEndOffset)
        {
            using var read = log.Read(offset, 256 * 1024);
            if (read.Length == 0)
            {
                break;
            }

            var batches = read.Records.Span;
            while (!batches.IsEmpty)
            {
                var header = RecordBatchHeader.Read(batches);
                empty += header.RecordCount == 0 ? 1 : 0;
                var reader = new RecordReader(batches[..header.SizeInBytes]);
                try
                {
                    while (reader.TryReadNext(out var record))
                    {
                        if (record.Offset >= offset)
                        {
                            records.Add(new KeyedRecord(record.Offset, Encoding.UTF8.GetString(record.Key), record.HasValue ? Encoding.UTF8.GetString(record.Value) : null, record.Timestamp));
                        }
                    }
                }
                finally
                {
                    reader.Dispose();
                }

                batches = batches[header.SizeInBytes..];
            }

            offset = read.NextOffset;
        }

        return (records, empty);
    }

    /// <summary>The newest record of each key in <paramref name="records"/> (in offset order).</summary>
    public static Dictionary<string, KeyedRecord> NewestByKey(IEnumerable<KeyedRecord> records) =>
        records.GroupBy(r => r.Key).ToDictionary(g => g.Key, g => g.Last());
}
