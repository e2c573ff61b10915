using System.Buffers.Binary;
using System.Globalization;
using OrleansLog.Records;
using OrleansLog.Storage;
using OrleansLog.Storage.IO;

namespace OrleansLog.Server.Producers;

/// <summary>
/// Keeps a partition's <see cref="ProducerStateTable"/> across activations, as Kafka's producer snapshots do:
/// <see cref="Snapshot"/> writes the table as of an offset into the log's directory
/// (<c>producer-state-&lt;offset&gt;.snapshot</c>, checksummed, the two newest kept), and <see cref="Load"/>
/// starts from the newest snapshot that still describes the log (at or below its end, and written over the
/// same batch: the leader epoch of the batch before it matches) and replays batch headers from there. So a
/// producer's retry is recognised however long ago its batch was written. Without a snapshot it replays the
/// last <see cref="WindowOffsets"/> offsets. Replaying a transaction's abort marker also appends its entry to the log's
/// aborted-transaction index if a crash took it. Stateless and thread-safe per log (the partition grain calls it).
/// </summary>
public static class ProducerStateLoader
{
    /// <summary>How many offsets back from the log end are scanned when there is no snapshot.</summary>
    public const long WindowOffsets = 100_000;

    private const int ReadBytes = 4 * 1024 * 1024;
    private const uint Magic = 0x4F4C5053; // "OLPS"
    private const string Prefix = "producer-state-";
    private const string Suffix = ".snapshot";

    /// <summary>Rebuilds <paramref name="table"/> for <paramref name="log"/>; returns the offset the replay started from.</summary>
    public static long Load(PartitionLog log, ProducerStateTable table)
    {
        table.Clear();
        var from = Math.Max(log.LogStartOffset, log.LogEndOffset - WindowOffsets);
        foreach (var (offset, path) in Snapshots(log.Directory).OrderByDescending(s => s.Offset))
        {
            if (offset > log.LogEndOffset || offset < log.LogStartOffset)
            {
                continue;
            }

            var version = ProducerStateTable.SnapshotVersion;
            var payload = ChecksummedFile.TryRead(DiskFileSystem.Instance, path, Magic, version);
            if (payload is null)
            {
                version = 1;
                payload = ChecksummedFile.TryRead(DiskFileSystem.Instance, path, Magic, version);
            }

            if (payload is { Length: >= 4 }
                && BinaryPrimitives.ReadInt32BigEndian(payload) == EpochBefore(log, offset)
                && table.LoadSnapshot(payload.AsSpan(4), version))
            {
                from = offset;
                break;
            }
        }

        Replay(log, table, from);
        return from;
    }

    /// <summary>Writes <paramref name="table"/> as of <paramref name="offset"/> (it holds every batch below it) and keeps the two newest snapshots.</summary>
    public static void Snapshot(PartitionLog log, ProducerStateTable table, long offset)
    {
        // The snapshot stands for the aborted transactions below it: their index entries must be durable first.
        log.FlushTransactionIndex();
        var state = table.ToSnapshot();
        var payload = new byte[4 + state.Length];
        BinaryPrimitives.WriteInt32BigEndian(payload, EpochBefore(log, offset));
        state.CopyTo(payload, 4);
        ChecksummedFile.WriteAtomic(DiskFileSystem.Instance, Path.Combine(log.Directory, $"{Prefix}{offset.ToString("D20", CultureInfo.InvariantCulture)}{Suffix}"), Magic, ProducerStateTable.SnapshotVersion, payload);
        foreach (var (_, path) in Snapshots(log.Directory).OrderByDescending(s => s.Offset).Skip(2))
        {
            File.Delete(path);
        }
    }

    private static void Replay(PartitionLog log, ProducerStateTable table, long from)
    {
        var offset = from;
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
                    if (!header.IsControl)
                    {
                        table.Record(header, header.MaxTimestamp);
                    }
                    else if (TransactionMarker.TryRead(remaining[..header.SizeInBytes], out var marker)
                        && table.RecordMarker(header.ProducerId, header.ProducerEpoch, marker.CoordinatorEpoch, marker.Type == ControlRecordType.Commit, header.BaseOffset, header.MaxTimestamp) is { Committed: false } aborted)
                    {
                        // Rebuilds an index entry a crash took after its marker was written (a no-op when it is there).
                        log.AppendAbortedTransaction(aborted.ToIndexEntry());
                    }
                }

                remaining = remaining[header.SizeInBytes..];
            }

            offset = read.NextOffset;
        }
    }

    /// <summary>The offset of the newest snapshot in <paramref name="log"/>'s directory, or null when there is none.</summary>
    public static long? NewestSnapshotOffset(PartitionLog log) =>
        Snapshots(log.Directory).Select(s => (long?)s.Offset).Max();

    /// <summary>
    /// The leader epoch that wrote the offset just below <paramref name="offset"/> (-1 at the log start, or when no epoch
    /// is known): what ties a snapshot to the history it covered, since a log cut back and written again by another
    /// leader has another epoch there. Read from the leader epoch cache, not from the batch itself: the log cleaner may
    /// have removed that batch, and the next one kept may be of a later epoch.
    /// </summary>
    private static int EpochBefore(PartitionLog log, long offset)
    {
        if (offset <= log.LogStartOffset)
        {
            return -1;
        }

        var epoch = -1;
        foreach (var entry in log.LeaderEpochs)
        {
            if (entry.StartOffset > offset - 1)
            {
                break;
            }

            epoch = entry.Epoch;
        }

        return epoch;
    }

    private static IEnumerable<(long Offset, string Path)> Snapshots(string directory)
    {
        foreach (var path in Directory.EnumerateFiles(directory, Prefix + "*" + Suffix))
        {
            var name = Path.GetFileName(path);
            if (long.TryParse(name.AsSpan(Prefix.Length, name.Length - Prefix.Length - Suffix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            {
                yield return (offset, path);
            }
        }
    }
}
