using OrleansLog.Records;
using OrleansLog.Storage;

namespace OrleansLog.Server.Producers;

/// <summary>
/// Rebuilds a partition's <see cref="ProducerStateTable"/> from the tail of its log when the partition
/// activates, reading batch headers only. The tail is bounded (<see cref="WindowOffsets"/>), so a huge
/// log activates quickly; a producer last seen before the window is unknown and may continue at any
/// sequence, and only a retry of a batch older than the window could be appended twice.
/// </summary>
public static class ProducerStateLoader
{
    /// <summary>How many offsets back from the log end are scanned: far more than any producer has in flight.</summary>
    public const long WindowOffsets = 100_000;

    private const int ReadBytes = 4 * 1024 * 1024;

    public static void Load(PartitionLog log, ProducerStateTable table)
    {
        table.Clear();
        var offset = Math.Max(log.LogStartOffset, log.LogEndOffset - WindowOffsets);
        while (offset < log.LogEndOffset)
        {
            using var read = log.Read(offset, ReadBytes);
            if (read.Length == 0)
            {
                return;
            }

            var remaining = read.Records.Span;
            while (remaining.Length >= RecordBatchLayout.HeaderSize)
            {
                var header = RecordBatchHeader.Read(remaining);
                if (header.HasProducerId && header.LastOffset >= offset)
                {
                    table.Record(header, header.MaxTimestamp);
                }

                remaining = remaining[header.SizeInBytes..];
            }

            offset = read.NextOffset;
        }
    }
}
