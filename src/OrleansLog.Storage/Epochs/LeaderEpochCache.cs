using System.Buffers.Binary;
using System.Collections.Immutable;
using OrleansLog.Records;
using OrleansLog.Storage.IO;
using OrleansLog.Storage.Segments;

namespace OrleansLog.Storage.Epochs;

/// <summary>
/// Which leader epoch wrote which offsets of a log: a list of (epoch, start offset), both strictly
/// increasing, persisted in <c>leader-epoch-checkpoint</c>. Replication compares two replicas' lists to
/// find where their logs diverge (<see cref="EpochDivergence"/>). An entry is written durably before the
/// first batch of its epoch, so after a crash the file may run ahead of the log, never behind: entries
/// at or past the log end are dropped on open.
/// Layout: the <see cref="ChecksummedFile"/> envelope around <c>count int32 | (epoch int32, startOffset int64)*</c>.
/// Not thread-safe: the owning <see cref="PartitionLog"/> calls it under its write lock.
/// </summary>
public sealed class LeaderEpochCache
{
    public const string FileName = "leader-epoch-checkpoint";

    private const uint Magic = 0x4F4C4543; // "OLEC"
    private const int EntrySize = 12;

    private readonly IFileSystem _fileSystem;
    private readonly string _path;

    private LeaderEpochCache(IFileSystem fileSystem, string path, ImmutableArray<EpochEntry> entries)
    {
        _fileSystem = fileSystem;
        _path = path;
        Entries = entries;
    }

    public ImmutableArray<EpochEntry> Entries { get; private set; }

    /// <summary>The newest epoch that wrote to the log, or -1 when none did.</summary>
    public int LatestEpoch => Entries.IsEmpty ? -1 : Entries[^1].Epoch;

    /// <summary>
    /// Loads the checkpoint. A damaged one is never read as empty (a follower would then truncate its whole
    /// log): it is rebuilt by <paramref name="rebuild"/> from the epochs stamped in the log's batches, and
    /// written again. Without <paramref name="rebuild"/>, damage is <see cref="DamagedFileException"/>.
    /// </summary>
    public static LeaderEpochCache Load(IFileSystem fileSystem, string directory, Func<ImmutableArray<EpochEntry>>? rebuild = null)
    {
        var path = Path.Combine(directory, FileName);
        if (!fileSystem.FileExists(path))
        {
            return new LeaderEpochCache(fileSystem, path, ImmutableArray<EpochEntry>.Empty);
        }

        if (Parse(ChecksummedFile.TryRead(fileSystem, path, Magic, 1)) is { } entries)
        {
            return new LeaderEpochCache(fileSystem, path, entries);
        }

        if (rebuild is null)
        {
            throw new DamagedFileException(path, "leader epoch checkpoint", "Remove it: the broker rebuilds it from the log.");
        }

        var rebuilt = new LeaderEpochCache(fileSystem, path, ImmutableArray<EpochEntry>.Empty);
        rebuilt.Save(rebuild());
        return rebuilt;
    }

    /// <summary>The epochs of a checkpoint's payload, or null when it does not add up.</summary>
    private static ImmutableArray<EpochEntry>? Parse(byte[]? payload)
    {
        if (payload is { Length: >= 4 } && BinaryPrimitives.ReadInt32BigEndian(payload) is var count && count >= 0 && payload.Length == 4 + (count * EntrySize))
        {
            var builder = ImmutableArray.CreateBuilder<EpochEntry>(count);
            for (var i = 0; i < count; i++)
            {
                var entry = payload.AsSpan(4 + (i * EntrySize));
                builder.Add(new EpochEntry(BinaryPrimitives.ReadInt32BigEndian(entry), BinaryPrimitives.ReadInt64BigEndian(entry[4..])));
            }

            return builder.MoveToImmutable();
        }

        return null;
    }

    /// <summary>
    /// Notes that <paramref name="epoch"/> writes from <paramref name="startOffset"/> on. The current epoch
    /// again is a no-op; an older one is FENCED_LEADER_EPOCH (a deposed leader must not write).
    /// </summary>
    public void Assign(int epoch, long startOffset)
    {
        var latest = LatestEpoch;
        if (epoch == latest || epoch < 0)
        {
            return;
        }

        if (epoch < latest)
        {
            throw new OrleansLogException(ErrorCode.FencedLeaderEpoch, $"Leader epoch {epoch} is older than epoch {latest}, which already wrote to this log.");
        }

        // A new epoch that starts where the previous one did (it wrote nothing) replaces it.
        var entries = Entries;
        while (!entries.IsEmpty && entries[^1].StartOffset >= startOffset)
        {
            entries = entries.RemoveAt(entries.Length - 1);
        }

        Save(entries.Add(new EpochEntry(epoch, startOffset)));
    }

    /// <summary>
    /// Notes the epochs of batches about to be written (placed at <paramref name="placements"/>), before the
    /// first of them is, so the cache never lags the log: a leader's own <paramref name="leaderEpoch"/> when
    /// it assigns offsets, otherwise each epoch stamped in a follower's copied batches.
    /// </summary>
    internal void AssignFrom(ReadOnlySpan<byte> batches, ReadOnlySpan<BatchPlacement> placements, int leaderEpoch, bool assignOffsets)
    {
        if (assignOffsets)
        {
            if (leaderEpoch != RecordBatchLayout.NoPartitionLeaderEpoch)
            {
                Assign(leaderEpoch, placements[0].BaseOffset);
            }

            return;
        }

        var position = 0;
        foreach (var placement in placements)
        {
            var epoch = BinaryPrimitives.ReadInt32BigEndian(batches[(position + RecordBatchLayout.PartitionLeaderEpochOffset)..]);
            if (epoch != RecordBatchLayout.NoPartitionLeaderEpoch)
            {
                Assign(epoch, placement.BaseOffset);
            }

            position += placement.SizeInBytes;
        }
    }

    /// <summary>Forgets epochs that start at or after <paramref name="endOffset"/> (the log was cut there).</summary>
    public void TruncateFromEnd(long endOffset)
    {
        var keep = Entries.Length;
        while (keep > 0 && Entries[keep - 1].StartOffset >= endOffset)
        {
            keep--;
        }

        if (keep < Entries.Length)
        {
            Save(Entries.RemoveRange(keep, Entries.Length - keep));
        }
    }

    /// <summary>The log now starts at <paramref name="startOffset"/>: epochs wholly below it go, the one spanning it starts there.</summary>
    public void TruncateFromStart(long startOffset)
    {
        var spanning = -1;
        for (var i = 0; i < Entries.Length && Entries[i].StartOffset <= startOffset; i++)
        {
            spanning = i;
        }

        if (spanning < 0 || (spanning == 0 && Entries[0].StartOffset == startOffset))
        {
            return;
        }

        Save(Entries.RemoveRange(0, spanning).SetItem(0, Entries[spanning] with { StartOffset = startOffset }));
    }

    /// <summary>Forgets every epoch (the log was emptied).</summary>
    public void Clear()
    {
        if (!Entries.IsEmpty)
        {
            Save([]);
        }
    }

    private void Save(ImmutableArray<EpochEntry> entries)
    {
        var payload = new byte[4 + (entries.Length * EntrySize)];
        BinaryPrimitives.WriteInt32BigEndian(payload, entries.Length);
        for (var i = 0; i < entries.Length; i++)
        {
            var entry = payload.AsSpan(4 + (i * EntrySize));
            BinaryPrimitives.WriteInt32BigEndian(entry, entries[i].Epoch);
            BinaryPrimitives.WriteInt64BigEndian(entry[4..], entries[i].StartOffset);
        }

        ChecksummedFile.WriteAtomic(_fileSystem, _path, Magic, 1, payload);
        Entries = entries;
    }
}
