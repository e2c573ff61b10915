using System.Buffers.Binary;
using System.Text;
using OrleansLog.Records;
using OrleansLog.Records.Buffers;
using OrleansLog.Storage.Compaction;

namespace OrleansLog.Storage.Tests.Compaction;

/// <summary>
/// Cleaning a log's bytes with the map and the keep rule, against a model of the latest value per key: over random
/// keys, overwrites and tombstones, what is kept is exactly the latest record of each key (tombstones while they are
/// retained), at its own offset.
/// </summary>
public sealed class CleanerRulesTests
{
    [Theory]
    [InlineData(1, true)]
    [InlineData(2, false)]
    [InlineData(3, true)]
    [InlineData(4, false)]
    [InlineData(5, false)]
    [InlineData(6, true)]
    public void A_cleaned_log_holds_the_latest_record_of_each_key(int seed, bool retainTombstones)
    {
        var random = new Random(seed);
        var (log, latest) = RandomLog(random, batches: 40, keys: 30);
        var map = new OffsetMap(1024 * 1024);
        var mappedTo = CleanerRules.MapDirtySection(log, map);
        Assert.Equal(latest.Values.Max(r => r.Offset) + 1, mappedTo);

        var cleaned = Clean(log, map, retainTombstones);
        var expected = latest.Where(e => retainTombstones || e.Value.Value is not null).ToDictionary(e => e.Key, e => e.Value);
        Assert.Equal(expected.Count, cleaned.Count);
        foreach (var (key, record) in cleaned)
        {
            Assert.Equal(expected[key], record);
        }
    }

    [Fact]
    public void A_map_that_fills_stops_at_a_batch_boundary_and_what_lies_beyond_it_is_kept()
    {
        var random = new Random(7);
        var (log, latest) = RandomLog(random, batches: 20, keys: 50);
        var map = new OffsetMap(OffsetMap.BytesPerSlot * 40, loadFactor: 0.5);
        var mappedTo = CleanerRules.MapDirtySection(log, map);
        Assert.True(map.Count <= map.MaxEntries);
        Assert.True(mappedTo < latest.Values.Max(r => r.Offset) + 1, "the map was meant to fill");

        // Cleaning with a partial map never drops a record at or past the mapped offset, nor the latest of a key.
        var cleaned = CleanAll(log, map, retainTombstones: true);
        var all = ReadAll(log);
        Assert.All(all.Where(r => r.Offset >= mappedTo), r => Assert.Contains(r, cleaned));
        Assert.All(latest.Values, r => Assert.Contains(r, cleaned));
    }

    [Fact]
    public void An_empty_section_maps_nothing()
    {
        var map = new OffsetMap(1024);
        Assert.Equal(0, CleanerRules.MapDirtySection([], map));
        Assert.Equal(0, map.Count);
    }

    private sealed record Kept(long Offset, string Key, string? Value);

    /// <summary>Batches of 1 to 8 records, back to back with consecutive offsets, and the latest record of each key.</summary>
    private static (byte[] Log, Dictionary<string, Kept> Latest) RandomLog(Random random, int batches, int keys)
    {
        using var log = new PooledBufferWriter();
        var latest = new Dictionary<string, Kept>();
        var offset = 0L;
        using var builder = new RecordBatchBuilder(random.Next(2) == 0 ? CompressionType.None : CompressionType.Lz4);
        for (var b = 0; b < batches; b++)
        {
            builder.Reset();
            var count = random.Next(1, 9);
            for (var i = 0; i < count; i++)
            {
                var key = $"key-{random.Next(keys)}";
                var value = random.Next(5) == 0 ? null : $"v{offset + i}";
                builder.Add(offset + i, Encoding.UTF8.GetBytes(key), value is null ? null : Encoding.UTF8.GetBytes(value));
                latest[key] = new Kept(offset + i, key, value);
            }

            var batch = builder.Build().ToArray();
            BinaryPrimitives.WriteInt64BigEndian(batch, offset);
            log.Write(batch);
            offset += count;
        }

        return (log.WrittenSpan.ToArray(), latest);
    }

    private static Dictionary<string, Kept> Clean(byte[] log, OffsetMap map, bool retainTombstones)
    {
        var byKey = new Dictionary<string, Kept>();
        foreach (var record in CleanAll(log, map, retainTombstones))
        {
            Assert.True(byKey.TryAdd(record.Key, record), $"key {record.Key} kept twice");
        }

        return byKey;
    }

    private static List<Kept> CleanAll(byte[] log, OffsetMap map, bool retainTombstones)
    {
        using var cleaned = new PooledBufferWriter();
        ReadOnlySpan<byte> rest = log;
        while (!rest.IsEmpty)
        {
            var size = RecordBatchHeader.Read(rest).SizeInBytes;
            // An emptied batch stays as a header of no records (it reads as nothing).
            RecordBatchFilter.Filter(rest[..size], (in OrleansLog.Records.Record r) => CleanerRules.ShouldKeep(r, map, retainTombstones), cleaned);
            rest = rest[size..];
        }

        return ReadAll(cleaned.WrittenSpan);
    }

    private static List<Kept> ReadAll(ReadOnlySpan<byte> log)
    {
        var records = new List<Kept>();
        while (!log.IsEmpty)
        {
            var size = RecordBatchHeader.Read(log).SizeInBytes;
            var reader = new RecordReader(log[..size]);
            try
            {
                while (reader.TryReadNext(out var record))
                {
                    records.Add(new Kept(record.Offset, Encoding.UTF8.GetString(record.Key), record.HasValue ? Encoding.UTF8.GetString(record.Value) : null));
                }
            }
            finally
            {
                reader.Dispose();
            }

            log = log[size..];
        }

        return records;
    }
}
