using System.Text;
using OrleansLog.Records;
using OrleansLog.Storage;

namespace OrleansLog.Testing;

/// <summary>Builds record batches for tests, and reads them back as plain values.</summary>
public static class Batches
{
    public static byte[] Of(params string[] values) => Of(CompressionType.None, 1_000, values);

    public static byte[] Of(CompressionType compression, long timestamp, params string[] values)
    {
        using var builder = new RecordBatchBuilder(compression);
        foreach (var value in values)
        {
            builder.Add(timestamp, null, Encoding.UTF8.GetBytes(value));
        }

        return builder.Build().ToArray();
    }

    /// <summary>A batch of keyed records (a null value is a tombstone), each at <paramref name="timestamp"/>; with a producer id, from that idempotent producer.</summary>
    public static byte[] Keyed(CompressionType compression, long timestamp, IEnumerable<(string Key, string? Value)> records, long producerId = -1, int baseSequence = -1)
    {
        using var builder = new RecordBatchBuilder(compression) { ProducerId = producerId, ProducerEpoch = (short)(producerId >= 0 ? 0 : -1), BaseSequence = baseSequence };
        foreach (var (key, value) in records)
        {
            builder.Add(timestamp, Encoding.UTF8.GetBytes(key), value is null ? null : Encoding.UTF8.GetBytes(value));
        }

        return builder.Build().ToArray();
    }

    /// <summary>A batch from an idempotent producer: id, epoch and the first record's sequence number.</summary>
    public static byte[] Idempotent(long producerId, short epoch, int baseSequence, params string[] values)
    {
        using var builder = new RecordBatchBuilder { ProducerId = producerId, ProducerEpoch = epoch, BaseSequence = baseSequence };
        foreach (var value in values)
        {
            builder.Add(1_000, null, Encoding.UTF8.GetBytes(value));
        }

        return builder.Build().ToArray();
    }

    /// <summary>A batch of a transactional producer (the transactional attribute set), as Idempotent otherwise.</summary>
    public static byte[] Transactional(long producerId, short epoch, int baseSequence, params string[] values)
    {
        using var builder = new RecordBatchBuilder { ProducerId = producerId, ProducerEpoch = epoch, BaseSequence = baseSequence, IsTransactional = true };
        foreach (var value in values)
        {
            builder.Add(1_000, null, Encoding.UTF8.GetBytes(value));
        }

        return builder.Build().ToArray();
    }

    public static byte[] WithTimestamps(params long[] timestamps)
    {
        using var builder = new RecordBatchBuilder();
        foreach (var timestamp in timestamps)
        {
            builder.Add(timestamp, null, Encoding.UTF8.GetBytes($"t{timestamp}"));
        }

        return builder.Build().ToArray();
    }

    /// <summary>Every record in a run of batches as (offset, value text).</summary>
    public static List<(long Offset, string Value)> Records(ReadOnlySpan<byte> batches)
    {
        var result = new List<(long, string)>();
        while (!batches.IsEmpty)
        {
            var header = RecordBatchHeader.Read(batches);
            using (var reader = new RecordReader(batches[..header.SizeInBytes]))
            {
                while (reader.TryReadNext(out var record))
                {
                    result.Add((record.Offset, Encoding.UTF8.GetString(record.Value)));
                }
            }

            batches = batches[header.SizeInBytes..];
        }

        return result;
    }

    /// <summary>Reads the whole log from <paramref name="from"/> to its end.</summary>
    public static List<(long Offset, string Value)> ReadAll(PartitionLog log, long from = -1)
    {
        var offset = from < 0 ? log.LogStartOffset : from;
        var result = new List<(long, string)>();
        while (offset < log.LogEndOffset)
        {
            using var read = log.Read(offset, 64 * 1024);
            if (read.Length == 0)
            {
                break;
            }

            foreach (var record in Records(read.Records.Span))
            {
                if (record.Offset >= offset)
                {
                    result.Add(record);
                }
            }

            offset = read.NextOffset;
        }

        return result;
    }
}
