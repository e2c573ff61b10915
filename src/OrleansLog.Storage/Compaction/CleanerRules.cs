using OrleansLog.Records;

namespace OrleansLog.Storage.Compaction;

/// <summary>
/// What Kafka's log cleaner decides, over bytes: which keys the dirty section holds at which latest offset
/// (<see cref="MapDirtySection"/>), and which records a rewrite keeps (<see cref="ShouldKeep"/>). The segment files,
/// the swap and the schedule build on these.
/// <para>Pure and thread-safe; the map is the caller's.</para>
/// </summary>
public static class CleanerRules
{
    /// <summary>
    /// Maps the key of every record in <paramref name="batches"/> (back to back, as a segment holds them) to its latest
    /// offset, whole batches at a time, and returns the offset up to which the map is complete: after the last batch
    /// mapped, or the first batch's base offset when none fit. A batch whose new keys do not all fit is not mapped, and
    /// the map stops there, as Kafka's cleaner stops its dirty section where the map fills. Control batches carry no
    /// keys to map (transaction markers), an aborted transaction's batches are not mapped (they must not shadow the
    /// committed records of their keys; <paramref name="transactions"/> knows them), and records without a key are
    /// skipped (a compacted topic refuses them).
    /// </summary>
    public static long MapDirtySection(ReadOnlySpan<byte> batches, OffsetMap map, CleanerTransactions? transactions = null)
    {
        var mappedTo = batches.Length >= RecordBatchLayout.HeaderSize ? RecordBatchHeader.Read(batches).BaseOffset : map.LatestOffset + 1;
        while (batches.Length >= RecordBatchLayout.HeaderSize)
        {
            var header = RecordBatchHeader.Read(batches);
            var batch = batches[..header.SizeInBytes];
            if (!header.IsControl && transactions?.SkipsWhenMapping(batch, header) != true)
            {
                if (map.Count + header.RecordCount > map.MaxEntries && !FitsInMap(batch, map))
                {
                    return mappedTo;
                }

                var reader = new RecordReader(batch);
                try
                {
                    while (reader.TryReadNext(out var record))
                    {
                        if (record.HasKey)
                        {
                            map.Put(record.Key, record.Offset);
                        }
                    }
                }
                finally
                {
                    reader.Dispose();
                }
            }
            else if (header.IsControl)
            {
                // A marker ends its transaction for what follows.
                transactions?.SkipsWhenMapping(batch, header);
            }

            mappedTo = header.NextOffset;
            batches = batches[header.SizeInBytes..];
        }

        return mappedTo;
    }

    /// <summary>
    /// Whether a rewrite keeps <paramref name="record"/>: not when a later record of its key is mapped, and not when it
    /// is a tombstone whose time to be kept (<c>delete.retention.ms</c>) is over.
    /// </summary>
    public static bool ShouldKeep(in Record record, OffsetMap map, bool retainTombstones)
    {
        if (!record.HasKey)
        {
            return true;
        }

        var latest = map.Get(record.Key);
        return (latest < 0 || record.Offset >= latest) && (record.HasValue || retainTombstones);
    }

    /// <summary>Whether every new key of <paramref name="batch"/> still fits (counted without changing the map).</summary>
    private static bool FitsInMap(ReadOnlySpan<byte> batch, OffsetMap map)
    {
        var newKeys = new HashSet<string>(StringComparer.Ordinal);
        var reader = new RecordReader(batch);
        try
        {
            while (reader.TryReadNext(out var record))
            {
                if (record.HasKey && map.Get(record.Key) < 0)
                {
                    newKeys.Add(Convert.ToBase64String(record.Key));
                }
            }
        }
        finally
        {
            reader.Dispose();
        }

        return map.Count + newKeys.Count <= map.MaxEntries;
    }
}
