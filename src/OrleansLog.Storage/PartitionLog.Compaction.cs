using System.Collections.Immutable;
using OrleansLog.Records;
using OrleansLog.Records.Buffers;
using OrleansLog.Storage.Checkpoints;
using OrleansLog.Storage.Compaction;
using OrleansLog.Storage.Segments;

namespace OrleansLog.Storage;

/// <summary>
/// Log compaction (<c>cleanup.policy=compact</c>), Kafka's log cleaner over this log's segments. A pass maps the dirty
/// section (offsets the last pass did not reach) to each key's latest offset in the caller's bounded
/// <see cref="OffsetMap"/>, then rewrites the cleanable segments from the log start to where the map stopped, keeping a
/// record only when no later record of its key was mapped and, for a tombstone, while <c>delete.retention.ms</c> since
/// its first cleaning has not passed (<see cref="CleanerRules"/>, <see cref="RecordBatchFilter"/>). Offsets do not
/// change: the log gets gaps. Consecutive segments are grouped into one cleaned segment up to <c>segment.bytes</c>, and
/// each group is swapped in by <see cref="CleanerSwap"/>'s crash-safe steps. Only sealed segments wholly below the
/// caller's bound (the high watermark) and older than <c>min.compaction.lag.ms</c> are touched, never the active one.
/// <para>
/// Concurrency: the reading, mapping and writing run without the log's exclusive lock (each chunk is read under the
/// shared read lock), so appends, flushes and reads go on; each swap takes the exclusive file lock for a few renames.
/// Anything that removes or cuts segments meanwhile (retention, DeleteRecords, truncation) bumps a counter and the pass
/// abandons what it had written. One pass at a time per log: a second concurrent call returns at once, abandoned.
/// </para>
/// <para>
/// Kept as they are: control batches (transaction markers; issue 24 will remove aborted data and old markers here), a
/// producer's last batch (kept empty when its records go, so the producer's sequence survives, as Kafka keeps it), and
/// the last batch of each group (kept empty if need be, so a cleaned segment covers exactly the offsets of the segments
/// it replaces, which is what lets <see cref="CleanerSwap"/> recover).
/// </para>
/// </summary>
public sealed partial class PartitionLog
{
    private const int CleanerChunkBytes = 1024 * 1024;

    private long _segmentsReplaced;
    private CleanerCheckpoint? _cleanerCheckpoint;
    private int _cleaning;

    /// <summary>What the cleaner could clean now, with <paramref name="maxOffset"/> (the high watermark) as the bound.</summary>
    public CleanableSection InspectCleanable(long maxOffset)
    {
        using var scope = _locks.Read();
        return Inspect(maxOffset, _time.GetUtcNow().ToUnixTimeMilliseconds()).Section;
    }

    /// <summary>
    /// Runs one cleaner pass (see the class remarks) with <paramref name="map"/> (cleared first, then the caller's to
    /// reuse) over what is cleanable below <paramref name="maxOffset"/>. Before it, an active segment older than
    /// <c>max.compaction.lag.ms</c> is rolled, so its records can be cleaned by the next pass in time.
    /// </summary>
    public async Task<CleanResult> CleanAsync(OffsetMap map, long maxOffset, CleanerThrottle? throttle = null, CancellationToken cancellationToken = default)
    {
        // One pass at a time: two would write the same .cleaned files.
        if (Interlocked.Exchange(ref _cleaning, 1) == 1)
        {
            var busy = InspectCleanable(maxOffset);
            return new CleanResult(busy, busy.FirstDirtyOffset, 0, 0, 0, 0, "another pass is cleaning this log");
        }

        try
        {
            return await CleanExclusiveAsync(map, maxOffset, throttle ?? CleanerThrottle.Unlimited, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _cleaning, 0);
        }
    }

    private async Task<CleanResult> CleanExclusiveAsync(OffsetMap map, long maxOffset, CleanerThrottle throttle, CancellationToken cancellationToken)
    {
        RollIfPastMaxCompactionLag();
        Plan plan;
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        using (_locks.Read())
        {
            plan = Inspect(maxOffset, now);
        }

        if (plan.Section.DirtyBytes == 0 && !plan.Section.TombstonesDue)
        {
            return CleanResult.Nothing(plan.Section);
        }

        long read = 0, written = 0;
        var replaced = 0;
        var groups = 0;
        var generation = plan.Generation;
        try
        {
            // Nothing at or after a transaction still open is cleaned: its records may yet be aborted, and a newer record of
            // a key must not remove the committed one before it is known to commit (Kafka's first unstable offset).
            var (producers, firstUnstable) = ScanProducers(plan);
            if (firstUnstable < plan.Section.EndOffset)
            {
                using (_locks.Read())
                {
                    var bounded = Inspect(firstUnstable, now);
                    if (bounded.Generation != plan.Generation)
                    {
                        throw new CleanerAbandonedException("the segments changed while open transactions were looked for");
                    }

                    plan = bounded;
                }

                if (plan.Section.DirtyBytes == 0 && !plan.Section.TombstonesDue)
                {
                    return CleanResult.Nothing(plan.Section);
                }
            }

            var mapped = await MapDirtySectionAsync(plan, map, throttle, cancellationToken).ConfigureAwait(false);
            read += mapped.BytesRead;
            if (mapped.EndOffset <= plan.Section.FirstDirtyOffset && plan.Section.DirtyBytes > 0)
            {
                return new CleanResult(plan.Section, plan.Section.FirstDirtyOffset, read, 0, 0, 0, $"the offset map ({map.MaxEntries} keys) cannot hold the keys of the batch at offset {plan.Section.FirstDirtyOffset}");
            }

            var checkpoint = plan.Checkpoint;
            var deleteRetentionMs = Config.DeleteRetentionMs;
            var tombstonesDueAt = long.MaxValue;
            RecordPredicate keep = (in Record record) =>
            {
                if (record.HasValue)
                {
                    return CleanerRules.ShouldKeep(record, map, retainTombstones: true);
                }

                // A tombstone stays for delete.retention.ms after the pass that first cleaned it (this one, when none did).
                var cleanedAt = checkpoint.FirstCleanedAt(record.Offset) ?? now;
                var retain = now - cleanedAt < deleteRetentionMs;
                var kept = CleanerRules.ShouldKeep(record, map, retain);
                tombstonesDueAt = kept && retain ? Math.Min(tombstonesDueAt, cleanedAt + deleteRetentionMs) : tombstonesDueAt;
                return kept;
            };
            var last = plan.EndIndex;
            while (last > 0 && plan.Segments[last - 1].BaseOffset >= mapped.EndOffset)
            {
                last--;
            }

            // Aborted transactions' data goes; a marker goes once its transaction has no data left and, as a tombstone,
            // delete.retention.ms after the pass that first cleaned it.
            var transactions = new CleanerTransactions(last == 0 ? [] : CollectAbortedTransactions(LogStartOffset, plan.Segments[last - 1].NextOffset));
            MarkerExpiry markerExpired = offset =>
            {
                var cleanedAt = checkpoint.FirstCleanedAt(offset) ?? now;
                if (now - cleanedAt >= deleteRetentionMs)
                {
                    return true;
                }

                tombstonesDueAt = Math.Min(tombstonesDueAt, cleanedAt + deleteRetentionMs);
                return false;
            };

            foreach (var group in GroupSegments(plan.Segments.AsSpan(0, last), Config.SegmentBytes))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var rules = new BatchRules(keep, producers, transactions, markerExpired, []);
                var cleaned = await RewriteGroupAsync(group, generation, rules, throttle, cancellationToken).ConfigureAwait(false);
                read += SizeOf(group.AsSpan());
                written += cleaned.Size;
                ForgetAbortedTransactions(rules.RemovedMarkers, generation);
                generation = SwapIn(group, cleaned, generation);
                replaced += group.Length;
                groups++;
            }

            using (_locks.WriteFiles())
            {
                if (_segmentsReplaced != generation)
                {
                    throw new CleanerAbandonedException("the log was cut back after its last cleaned segment was swapped in");
                }

                var next = checkpoint.After(mapped.EndOffset, now, deleteRetentionMs, tombstonesDueAt);
                _fence.Guard(() => next.Write(_fileSystem, Directory));
                _cleanerCheckpoint = next;
            }

            return new CleanResult(plan.Section, mapped.EndOffset, read, written, replaced, groups, null);
        }
        catch (CleanerAbandonedException e)
        {
            return new CleanResult(plan.Section, plan.Section.FirstDirtyOffset, read, written, replaced, groups, e.Message);
        }
    }

    private static long SizeOf(ReadOnlySpan<LogSegment> segments)
    {
        long size = 0;
        foreach (var segment in segments)
        {
            size += segment.Size;
        }

        return size;
    }

    /// <summary>Consecutive segments in runs that fit one segment: at most <paramref name="segmentBytes"/> together and offsets within int range of the first.</summary>
    private static List<LogSegment[]> GroupSegments(ReadOnlySpan<LogSegment> segments, int segmentBytes)
    {
        var groups = new List<LogSegment[]>();
        var start = 0;
        while (start < segments.Length)
        {
            var end = start + 1;
            var size = segments[start].Size;
            while (end < segments.Length && size + segments[end].Size <= segmentBytes && segments[end].NextOffset - 1 - segments[start].BaseOffset <= int.MaxValue)
            {
                size += segments[end].Size;
                end++;
            }

            groups.Add(segments[start..end].ToArray());
            start = end;
        }

        return groups;
    }

    /// <summary>Called under the exclusive lock when segments were cut back to <paramref name="offset"/>: what comes after it is dirty again.</summary>
    private void SegmentsCutBack(long offset)
    {
        _segmentsReplaced++;
        TransactionsCutBack(offset);
        var checkpoint = _cleanerCheckpoint ??= CleanerCheckpoint.Read(_fileSystem, Directory);
        var lowered = checkpoint.LoweredTo(offset);
        if (!ReferenceEquals(lowered, checkpoint))
        {
            lowered.Write(_fileSystem, Directory);
            _cleanerCheckpoint = lowered;
        }
    }

    /// <summary>
    /// Rolls the active segment of a compacted log once it is older than <c>max.compaction.lag.ms</c>, so its records
    /// become cleanable in time (the active segment never is). <see cref="CleanAsync"/> does it too; the cleaner calls it
    /// before it looks, since an active segment past its lag may be all that is dirty.
    /// </summary>
    public void RollIfPastMaxCompactionLag()
    {
        var config = Config;
        if (!config.Compact || config.MaxCompactionLagMs == long.MaxValue)
        {
            return;
        }

        using var scope = _locks.Write();
        var active = _segments[^1];
        if (active.IsEmpty)
        {
            return;
        }

        // The roll clock restarts when a log is opened; the first batch's time does not, so a log the cleaner opens now
        // and then still rolls in time (a producer's clock in the future only falls back on the roll clock).
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var first = active.FirstBatchTimestamp();
        var since = first >= 0 && first <= now && (active.RollClockStartMs < 0 || first < active.RollClockStartMs) ? first : active.RollClockStartMs;
        if (since >= 0 && now - since > config.MaxCompactionLagMs)
        {
            _fence.Guard(RollLocked);
        }
    }

    /// <summary>Under the read lock: the cleanable segments and the split between clean and dirty.</summary>
    private Plan Inspect(long maxOffset, long nowMs)
    {
        var config = Config;
        var segments = _segments;
        var checkpoint = _cleanerCheckpoint ??= CleanerCheckpoint.Read(_fileSystem, Directory);
        var firstDirty = Math.Clamp(checkpoint.FirstDirtyOffset, _logStartOffset, _logEndOffset);
        var end = 0;
        while (end < segments.Length - 1 && segments[end].NextOffset <= maxOffset &&
               (config.MinCompactionLagMs == 0 || segments[end].MaxTimestamp <= nowMs - config.MinCompactionLagMs))
        {
            end++;
        }

        long clean = 0, dirty = 0;
        var firstDirtyIndex = end;
        for (var i = end - 1; i >= 0; i--)
        {
            if (segments[i].NextOffset > firstDirty)
            {
                dirty += segments[i].Size;
                firstDirtyIndex = i;
            }
            else
            {
                clean += segments[i].Size;
            }
        }

        var pastMaxLag = dirty > 0 && config.MaxCompactionLagMs != long.MaxValue &&
                         segments[firstDirtyIndex].FirstBatchTimestamp() is >= 0 and var oldest && nowMs - oldest > config.MaxCompactionLagMs;
        var endOffset = end < segments.Length ? segments[end].BaseOffset : _logEndOffset;
        var tombstonesDue = checkpoint.TombstonesDueAtMs <= nowMs && clean > 0;
        return new Plan(new CleanableSection(firstDirty, endOffset, clean, dirty, pastMaxLag, tombstonesDue), segments, firstDirtyIndex, end, _segmentsReplaced, checkpoint);
    }

    /// <summary>Maps keys from the first dirty offset on, a chunk at a time, until the cleanable section ends or the map is full.</summary>
    private async Task<(long EndOffset, long BytesRead)> MapDirtySectionAsync(Plan plan, OffsetMap map, CleanerThrottle throttle, CancellationToken cancellationToken)
    {
        map.Clear();
        var firstDirty = plan.Section.FirstDirtyOffset;
        var transactions = new CleanerTransactions(CollectAbortedTransactions(firstDirty, plan.Section.EndOffset));
        var mappedTo = firstDirty;
        long read = 0;
        for (var i = plan.FirstDirtyIndex; i < plan.EndIndex; i++)
        {
            for (var position = 0; position < plan.Segments[i].Size;)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var chunk = ReadForCleaning(plan.Segments[i], position, plan.Generation);
                position += chunk.Length;
                read += chunk.Length;
                var batches = SkipBelow(chunk.Records.Span, firstDirty);
                if (!batches.IsEmpty)
                {
                    mappedTo = CleanerRules.MapDirtySection(batches, map, transactions);
                    if (mappedTo < chunk.NextOffset)
                    {
                        return (mappedTo, read);
                    }
                }

                await throttle.WaitAsync(chunk.Length, cancellationToken).ConfigureAwait(false);
            }

            mappedTo = Math.Max(mappedTo, plan.Segments[i].NextOffset);
        }

        return (mappedTo, read);
    }

    private static ReadOnlySpan<byte> SkipBelow(ReadOnlySpan<byte> batches, long offset)
    {
        while (batches.Length >= RecordBatchLayout.HeaderSize)
        {
            var header = RecordBatchHeader.Read(batches);
            if (header.NextOffset > offset)
            {
                break;
            }

            batches = batches[header.SizeInBytes..];
        }

        return batches;
    }

    /// <summary>The base offset of each idempotent producer's last batch in the log (those batches are kept, empty if need be).</summary>
    /// <summary>
    /// Each producer's last data batch (kept, even empty, for its sequence numbers) and the first offset of the oldest
    /// transaction with no marker in the log yet (long.MaxValue when none), from every segment's batch headers.
    /// </summary>
    private (Dictionary<long, long> LastDataBatch, long FirstUnstableOffset) ScanProducers(Plan plan)
    {
        var last = new Dictionary<long, long>();
        var open = new Dictionary<long, long>();
        ImmutableArray<LogSegment> segments;
        using (_locks.Read())
        {
            ThrowIfReplaced(plan.Generation);
            segments = _segments;
        }

        // A segment at a time under the read lock, so appends wait for one segment's headers at most. A segment rolled
        // after the snapshot is missed: a batch is then kept empty for a producer that wrote again, which costs bytes only.
        foreach (var segment in segments)
        {
            using var scope = _locks.Read();
            ThrowIfReplaced(plan.Generation);
            segment.ForEachHeader(header =>
            {
                if (!header.HasProducerId)
                {
                    return;
                }

                if (header.IsControl)
                {
                    open.Remove(header.ProducerId);
                    return;
                }

                // Data batches only: a marker carries no sequence numbers to keep.
                last[header.ProducerId] = header.BaseOffset;
                if (header.IsTransactional)
                {
                    open.TryAdd(header.ProducerId, header.BaseOffset);
                }
            });
        }

        return (last, open.Count == 0 ? long.MaxValue : open.Values.Min());
    }

    /// <summary>
    /// Drops the aborted-transaction entries of the markers a rewrite leaves out, before its segment is swapped in: their
    /// data went in earlier passes, so a crash in between leaves only a marker nothing refers to.
    /// </summary>
    private void ForgetAbortedTransactions(HashSet<long> markers, long generation)
    {
        if (markers.Count > 0)
        {
            using var scope = _locks.WriteFiles();
            ThrowIfReplaced(generation);
            _fence.Guard(() => _aborted.Remove(markers));
        }
    }

    /// <summary>Writes the cleaned copy of <paramref name="group"/> as a <c>.log.cleaned</c> file, flushed and closed.</summary>
    private async Task<LogSegment> RewriteGroupAsync(LogSegment[] group, long generation, BatchRules rules, CleanerThrottle throttle, CancellationToken cancellationToken)
    {
        var cleaned = LogSegment.CreateAt(_fileSystem, Directory, group[0].BaseOffset, Config.IndexIntervalBytes, SegmentFileNames.CleanedLogFile(Directory, group[0].BaseOffset));
        try
        {
            using var output = new PooledBufferWriter(CleanerChunkBytes + (CleanerChunkBytes / 4));
            var placements = new List<BatchPlacement>();
            for (var s = 0; s < group.Length; s++)
            {
                for (var position = 0; position < group[s].Size;)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    using var chunk = ReadForCleaning(group[s], position, generation);
                    position += chunk.Length;
                    var batches = chunk.Records.Span;
                    while (batches.Length >= RecordBatchLayout.HeaderSize)
                    {
                        var header = RecordBatchHeader.Read(batches);
                        var groupEnds = s == group.Length - 1 && header.NextOffset == group[s].NextOffset;
                        var producersLast = header.HasProducerId && rules.Producers.GetValueOrDefault(header.ProducerId, -1) == header.BaseOffset;
                        KeepOf(batches[..header.SizeInBytes], header, rules, groupEnds || producersLast, output, placements);
                        batches = batches[header.SizeInBytes..];
                    }

                    if (output.WrittenCount >= CleanerChunkBytes)
                    {
                        await WriteCleanedAsync(cleaned, output, placements, throttle, cancellationToken).ConfigureAwait(false);
                    }

                    await throttle.WaitAsync(chunk.Length, cancellationToken).ConfigureAwait(false);
                }
            }

            await WriteCleanedAsync(cleaned, output, placements, throttle, cancellationToken).ConfigureAwait(false);
            cleaned.Flush();
            cleaned.Dispose();
            return cleaned;
        }
        catch
        {
            cleaned.Dispose();
            _fileSystem.DeleteFile(cleaned.LogPath);
            throw;
        }
    }

    /// <summary>Appends what the cleaner keeps of one batch to <paramref name="output"/>: nothing, the batch as it was, or a filtered copy.</summary>
    private static void KeepOf(ReadOnlySpan<byte> batch, RecordBatchHeader header, BatchRules rules, bool keepEmpty, PooledBufferWriter output, List<BatchPlacement> placements)
    {
        var start = output.WrittenCount;
        if (header.IsControl)
        {
            if (rules.Transactions.MarkerIsSpent(batch, header) && !keepEmpty && rules.MarkerExpired(header.BaseOffset))
            {
                rules.RemovedMarkers.Add(header.BaseOffset);
                return;
            }

            output.Write(batch);
        }
        else if (rules.Transactions.IsAborted(header))
        {
            // Nothing of it was ever read committed; a producer's last batch stays, empty, for its sequence numbers.
            if (!keepEmpty)
            {
                return;
            }

            RecordBatchFilter.Filter(batch, static (in Record _) => false, output);
        }
        else
        {
            var kept = RecordBatchFilter.Filter(batch, rules.Keep, output);
            if (kept == header.RecordCount)
            {
                // Nothing removed: the batch's own bytes, not a re-encoding of them.
                output.Rewind(start);
                output.Write(batch);
            }
            else if (kept == 0 && !keepEmpty)
            {
                output.Rewind(start);
                return;
            }
        }

        var written = RecordBatchHeader.Read(output.WrittenSpan[start..]);
        placements.Add(new BatchPlacement(written.BaseOffset, written.LastOffset, written.MaxTimestamp, written.SizeInBytes));
    }

    private static async Task WriteCleanedAsync(LogSegment cleaned, PooledBufferWriter output, List<BatchPlacement> placements, CleanerThrottle throttle, CancellationToken cancellationToken)
    {
        if (output.WrittenCount == 0)
        {
            return;
        }

        cleaned.Append([output.WrittenMemory], placements.ToArray());
        await throttle.WaitAsync(output.WrittenCount, cancellationToken).ConfigureAwait(false);
        output.Clear();
        placements.Clear();
    }

    /// <summary>Replaces <paramref name="group"/> with <paramref name="cleaned"/> (see <see cref="CleanerSwap"/>); returns the new segment counter.</summary>
    private long SwapIn(LogSegment[] group, LogSegment cleaned, long generation)
    {
        using var scope = _locks.WriteFiles();
        var index = _segments.IndexOf(group[0]);
        var unchanged = _segmentsReplaced == generation && index >= 0 && index + group.Length < _segments.Length;
        for (var i = 1; unchanged && i < group.Length; i++)
        {
            unchanged = ReferenceEquals(_segments[index + i], group[i]);
        }

        if (!unchanged)
        {
            _fileSystem.DeleteFile(cleaned.LogPath);
            throw new CleanerAbandonedException("segments it was cleaning were deleted or cut meanwhile");
        }

        _fence.Guard(() =>
        {
            var swap = CleanerSwap.Commit(_fileSystem, Directory, cleaned.BaseOffset, cleaned.LogPath);
            foreach (var old in group)
            {
                old.Delete();
            }

            CleanerSwap.Complete(_fileSystem, Directory, cleaned.BaseOffset, swap);
            var live = cleaned.ReopenAsLive();
            _fileSystem.FlushDirectory(Directory);
            _segments = _segments.RemoveRange(index, group.Length).Insert(index, live);
        });
        return ++_segmentsReplaced;
    }

    /// <summary>Up to a chunk of whole batches of <paramref name="segment"/> from <paramref name="position"/>, under the read lock, while the segments are as planned.</summary>
    private LogReadResult ReadForCleaning(LogSegment segment, int position, long generation)
    {
        using var scope = _locks.Read();
        ThrowIfReplaced(generation);
        return segment.Read(position, CleanerChunkBytes, long.MaxValue, _logStartOffset, _logEndOffset);
    }

    private void ThrowIfReplaced(long generation)
    {
        if (_segmentsReplaced != generation)
        {
            throw new CleanerAbandonedException("segments were deleted or cut meanwhile");
        }
    }

    /// <summary>A cleaner pass's view of the log when it began.</summary>
    /// <summary>Whether a spent transaction marker at an offset is past <c>delete.retention.ms</c> (and, if not, schedules the pass that removes it).</summary>
    private delegate bool MarkerExpiry(long offset);

    /// <summary>What a rewrite keeps: records by <see cref="Keep"/>, each producer's last batch, transactions' data and markers by their rules.</summary>
    private sealed record BatchRules(RecordPredicate Keep, Dictionary<long, long> Producers, CleanerTransactions Transactions, MarkerExpiry MarkerExpired, HashSet<long> RemovedMarkers);

    private readonly record struct Plan(CleanableSection Section, ImmutableArray<LogSegment> Segments, int FirstDirtyIndex, int EndIndex, long Generation, CleanerCheckpoint Checkpoint);

    /// <summary>The log changed under a pass in a way that makes its work useless; the next pass starts over.</summary>
    private sealed class CleanerAbandonedException(string message) : Exception(message);
}
