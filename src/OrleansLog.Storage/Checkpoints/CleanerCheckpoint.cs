using System.Buffers.Binary;
using System.Collections.Immutable;
using OrleansLog.Storage.IO;
using OrleansLog.Storage.Segments;

namespace OrleansLog.Storage.Checkpoints;

/// <summary>One cleaner pass of a log: it cleaned every offset below <paramref name="EndOffset"/> at <paramref name="CleanedAtMs"/>.</summary>
internal readonly record struct CleanerPass(long EndOffset, long CleanedAtMs);

/// <summary>
/// What the cleaner remembers of one compacted log (Kafka's <c>cleaner-offset-checkpoint</c>, one file per log): the
/// first offset it has not cleaned yet, and when it first cleaned each range of offsets below it, so a tombstone is
/// kept for <c>delete.retention.ms</c> after its first cleaning (KIP-534's rule; Kafka keeps that time in the batch,
/// which would change the batch's bytes) and then removed.
/// <para>
/// The passes are bounded by <see cref="MaxPasses"/>: ranges whose time is over are merged (every tombstone in them may
/// go), and beyond that the two passes closest in time are merged under the later time, which keeps tombstones a little
/// longer, never shorter. It also remembers when the earliest tombstone the last pass kept may go, so a log with no new
/// writes is still cleaned once its tombstones are due. Losing the file costs nothing but work: the next pass cleans the whole log again and restarts
/// every tombstone's clock. Layout: a <see cref="ChecksummedFile"/> (magic "OLCC", version 1) whose payload is the first
/// dirty offset, the time tombstones are due, the pass count and each pass's end offset and time, big-endian. An immutable value.
/// </para>
/// </summary>
internal sealed record CleanerCheckpoint(long FirstDirtyOffset, ImmutableArray<CleanerPass> Passes, long TombstonesDueAtMs = long.MaxValue)
{
    public const int MaxPasses = 32;

    private const uint Magic = 0x4F4C4343;
    private const ushort Version = 1;
    private const int Fixed = 20;

    public static CleanerCheckpoint Empty { get; } = new(0, []);

    /// <summary>The checkpoint of <paramref name="directory"/>, or <see cref="Empty"/> when it is missing or damaged.</summary>
    public static CleanerCheckpoint Read(IFileSystem fileSystem, string directory)
    {
        var payload = ChecksummedFile.TryRead(fileSystem, PathIn(directory), Magic, Version);
        if (payload is null || payload.Length < Fixed)
        {
            return Empty;
        }

        var count = BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(16));
        if (count < 0 || payload.Length != Fixed + (count * 16))
        {
            return Empty;
        }

        var passes = ImmutableArray.CreateBuilder<CleanerPass>(count);
        for (var i = 0; i < count; i++)
        {
            passes.Add(new CleanerPass(BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(Fixed + (i * 16))), BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(Fixed + 8 + (i * 16)))));
        }

        return new CleanerCheckpoint(BinaryPrimitives.ReadInt64BigEndian(payload), passes.MoveToImmutable(), BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(8)));
    }

    /// <summary>Writes the checkpoint atomically and durably.</summary>
    public void Write(IFileSystem fileSystem, string directory)
    {
        var payload = new byte[Fixed + (Passes.Length * 16)];
        BinaryPrimitives.WriteInt64BigEndian(payload, FirstDirtyOffset);
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(8), TombstonesDueAtMs);
        BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(16), Passes.Length);
        for (var i = 0; i < Passes.Length; i++)
        {
            BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(Fixed + (i * 16)), Passes[i].EndOffset);
            BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(Fixed + 8 + (i * 16)), Passes[i].CleanedAtMs);
        }

        ChecksummedFile.WriteAtomic(fileSystem, PathIn(directory), Magic, Version, payload);
    }

    /// <summary>When <paramref name="offset"/> was first cleaned, or null when no pass has cleaned it yet.</summary>
    public long? FirstCleanedAt(long offset)
    {
        foreach (var pass in Passes)
        {
            if (offset < pass.EndOffset)
            {
                return pass.CleanedAtMs;
            }
        }

        return null;
    }

    /// <summary>
    /// The checkpoint after a pass that cleaned below <paramref name="endOffset"/> at <paramref name="nowMs"/> and kept
    /// tombstones of which the first may go at <paramref name="tombstonesDueAtMs"/> (<see cref="long.MaxValue"/> when it kept none).
    /// </summary>
    public CleanerCheckpoint After(long endOffset, long nowMs, long deleteRetentionMs, long tombstonesDueAtMs)
    {
        var passes = Passes.ToBuilder();
        if (passes.Count == 0 || endOffset > passes[^1].EndOffset)
        {
            passes.Add(new CleanerPass(endOffset, nowMs));
        }

        // Every expired range but the last merges into it: all their tombstones may go, whichever pass cleaned them first.
        while (passes.Count > 1 && nowMs - passes[1].CleanedAtMs >= deleteRetentionMs)
        {
            passes.RemoveAt(0);
        }

        while (passes.Count > MaxPasses)
        {
            var closest = 0;
            for (var i = 1; i < passes.Count - 1; i++)
            {
                if (passes[i + 1].CleanedAtMs - passes[i].CleanedAtMs < passes[closest + 1].CleanedAtMs - passes[closest].CleanedAtMs)
                {
                    closest = i;
                }
            }

            // The earlier range takes the later time: its tombstones are kept a little longer, never shorter.
            passes.RemoveAt(closest);
        }

        return new CleanerCheckpoint(Math.Max(FirstDirtyOffset, endOffset), passes.ToImmutable(), tombstonesDueAtMs);
    }

    /// <summary>After the log was cut back to <paramref name="offset"/>: what is appended from there on is dirty.</summary>
    public CleanerCheckpoint LoweredTo(long offset)
    {
        if (FirstDirtyOffset <= offset)
        {
            return this;
        }

        var passes = ImmutableArray.CreateBuilder<CleanerPass>();
        foreach (var pass in Passes)
        {
            var end = Math.Min(pass.EndOffset, offset);
            if (passes.Count == 0 || end > passes[^1].EndOffset)
            {
                passes.Add(pass with { EndOffset = end });
            }
        }

        return new CleanerCheckpoint(offset, passes.ToImmutable(), TombstonesDueAtMs);
    }

    private static string PathIn(string directory) => Path.Combine(directory, SegmentFileNames.CleanerCheckpoint);
}
