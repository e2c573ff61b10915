using Microsoft.Extensions.Time.Testing;
using OrleansLog.Records;
using OrleansLog.Storage.Compaction;
using OrleansLog.Testing;
using Xunit.Abstractions;

namespace OrleansLog.Storage.Tests.Compaction;

/// <summary>
/// The cleaner over a real log on disk, against a model of every record appended: random keys, overwrites, tombstones,
/// codecs, idempotent producers, rolls, reopenings, clock steps, partial maps and high watermarks below the log end. After
/// every pass: each record still in the log is the one appended at its offset; each key's newest record is still there
/// (a tombstone may go, but only once <c>delete.retention.ms</c> has passed since a pass first cleaned it); below the
/// pass's end no key appears twice; offset and timestamp lookups agree with the records.
/// </summary>
public sealed class LogCompactionTests(ITestOutputHelper output) : IDisposable
{
    private const long DeleteRetentionMs = 10_000;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "orleanslog-compaction-" + Guid.NewGuid().ToString("N"));

    public static TheoryData<int> Seeds => new(Enumerable.Range(1, 12));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Cleaning_keeps_the_newest_record_of_each_key_at_its_own_offset(int seed)
    {
        var random = new Random(seed);
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_000_000));
        var config = new LogConfig { Compact = true, RetentionMs = -1, SegmentBytes = random.Next(700, 4_000), IndexIntervalBytes = random.Next(0, 400), DeleteRetentionMs = DeleteRetentionMs };
        var directory = Path.Combine(_root, "compacted-0");
        var model = new Model(random.Next(5, 40));
        var log = PartitionLog.Open(directory, config, time: time);
        var passes = 0;
        var highWatermark = 0L;
        try
        {
            for (var step = 0; step < 300; step++)
            {
                var action = random.Next(100);
                if (action < 60)
                {
                    model.Append(log, random, time);
                }
                else if (action < 68)
                {
                    log.Roll();
                }
                else if (action < 74)
                {
                    time.Advance(TimeSpan.FromMilliseconds(random.Next(0, 6_000)));
                }
                else if (action < 77)
                {
                    log.Dispose();
                    log = PartitionLog.Open(directory, config, time: time);
                }
                else
                {
                    var map = new OffsetMap(random.Next(3) == 0 ? OffsetMap.BytesPerSlot * random.Next(8, 40) : 1 << 20, loadFactor: 0.9);
                    // The high watermark only grows, and may trail the log end.
                    highWatermark = Math.Max(highWatermark, random.Next(3) == 0 ? log.LogEndOffset - random.Next(0, 12) : log.LogEndOffset);
                    var result = await log.CleanAsync(map, highWatermark);
                    Assert.Null(result.Abandoned);
                    passes += result.Cleaned ? 1 : 0;
                    model.Passed(result, time.GetUtcNow().ToUnixTimeMilliseconds(), highWatermark);
                    model.Check(log, random);
                }
            }

            // At the end: a tombstone past its time goes with the next pass, even with nothing new to clean.
            log.Roll();
            var final = await log.CleanAsync(new OffsetMap(1 << 20), log.LogEndOffset);
            model.Passed(final, time.GetUtcNow().ToUnixTimeMilliseconds(), log.LogEndOffset);
            time.Advance(TimeSpan.FromMilliseconds(DeleteRetentionMs));
            Assert.True(log.InspectCleanable(log.LogEndOffset).IsDue(config) || !model.AnyTombstoneIn(log));
            var last = await log.CleanAsync(new OffsetMap(1 << 20), log.LogEndOffset);
            model.Passed(last, time.GetUtcNow().ToUnixTimeMilliseconds(), log.LogEndOffset);
            model.Check(log, random);
            Assert.False(model.AnyTombstoneIn(log), "a tombstone outlived delete.retention.ms");
            output.WriteLine($"seed {seed}: {passes} passes cleaned, {model.Appended} records appended, {CompactedLog.ReadAll(log).Records.Count} kept in {log.SegmentCount} segments");
        }
        finally
        {
            log.Dispose();
        }
    }

    [Fact]
    public async Task A_second_pass_while_one_runs_returns_at_once_without_touching_the_log()
    {
        using var log = PartitionLog.Open(Path.Combine(_root, "concurrent-0"), new LogConfig { Compact = true, SegmentBytes = 2_000 });
        for (var i = 0; i < 300; i++)
        {
            log.Append(Batches.Keyed(CompressionType.None, 1_000, [($"k{i % 7}", $"v{i}")]));
        }

        log.Roll();
        using var stop = new CancellationTokenSource();
        var slow = log.CleanAsync(new OffsetMap(1 << 16), log.LogEndOffset, new CleanerThrottle(2_000, TimeProvider.System), stop.Token);
        var second = await log.CleanAsync(new OffsetMap(1 << 16), log.LogEndOffset);
        Assert.Equal("another pass is cleaning this log", second.Abandoned);
        Assert.False(second.Cleaned);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => slow);

        // The stopped pass left nothing behind, and the next one cleans.
        Assert.Empty(Directory.EnumerateFiles(log.Directory, "*.cleaned"));
        Assert.True((await log.CleanAsync(new OffsetMap(1 << 16), log.LogEndOffset)).Cleaned);
        Assert.Equal(7, CompactedLog.ReadAll(log).Records.Count);
    }

    [Fact]
    public void A_record_without_a_key_is_refused_by_a_compacted_log()
    {
        using var log = PartitionLog.Open(Path.Combine(_root, "keys-0"), new LogConfig { Compact = true });
        var e = Assert.Throws<OrleansLogException>(() => log.Append(Batches.Of("no key")));
        Assert.Equal(ErrorCode.InvalidRecord, e.Code);
        Assert.Equal(0, log.LogEndOffset);
        log.Append(Batches.Keyed(CompressionType.None, 1_000, [("k", "v")]));
        Assert.Equal(1, log.LogEndOffset);
    }

    [Fact]
    public async Task A_producers_last_batch_stays_as_an_empty_batch_and_a_follower_copies_the_gaps()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_000_000));
        using var log = PartitionLog.Open(Path.Combine(_root, "producer-0"), new LogConfig { Compact = true }, time: time);
        log.Append(Batches.Keyed(CompressionType.None, 1_000, [("a", "1"), ("b", "1")], producerId: 7, baseSequence: 0));
        log.Append(Batches.Keyed(CompressionType.Lz4, 1_000, [("a", "2"), ("b", "2")]));
        log.Append(Batches.Keyed(CompressionType.None, 1_000, [("c", "1")]));
        log.Roll();
        log.Append(Batches.Keyed(CompressionType.None, 1_000, [("c", "2")]));
        log.Roll();
        var result = await log.CleanAsync(new OffsetMap(1 << 16), log.LogEndOffset);
        Assert.True(result.Cleaned);
        var (records, empty) = CompactedLog.ReadAll(log);
        Assert.Equal([(2L, "a", "2"), (3L, "b", "2"), (5L, "c", "2")], records.Select(r => (r.Offset, r.Key, r.Value!)).ToArray());

        // Producer 7's only batch lost both its records and stays empty; c's first batch goes (the two small segments were
        // cleaned into one, which ends with c's second batch).
        Assert.Equal(1, empty);
        Assert.Equal(2, log.SegmentCount);
        using var read = log.Read(0, 1 << 20, maxOffset: log.LogEndOffset);
        var first = RecordBatchHeader.Read(read.Records.Span);
        Assert.Equal((7L, 0, 1, 0), (first.ProducerId, first.BaseSequence, first.LastOffsetDelta, first.RecordCount));

        // A follower takes the cleaned batches as they are, gaps and empty batches included, and ends where the leader does.
        using var follower = PartitionLog.Open(Path.Combine(_root, "producer-follower-0"), new LogConfig { Compact = true }, time: time);
        follower.AppendAsFollower(read.Records);
        Assert.Equal(log.LogEndOffset, follower.LogEndOffset);
        Assert.Equal(records, CompactedLog.ReadAll(follower).Records);
    }

    [Fact]
    public async Task Lookups_by_offset_and_time_land_on_kept_records_after_cleaning()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_000_000));
        using var log = PartitionLog.Open(Path.Combine(_root, "lookups-0"), new LogConfig { Compact = true, SegmentBytes = 2_000, IndexIntervalBytes = 100 }, time: time);
        for (var i = 0; i < 200; i++)
        {
            log.Append(Batches.Keyed(CompressionType.None, 10_000 + (i * 10), [($"k{i % 10}", $"v{i}")]));
        }

        log.Roll();
        var first = await log.CleanAsync(new OffsetMap(1 << 16), log.LogEndOffset);
        Assert.Equal(first.SegmentsReplaced, first.SegmentsWritten);

        // The next pass finds the segments small and groups them: one segment holds what is left.
        log.Append(Batches.Keyed(CompressionType.None, 11_990, [("k9", "v199")]));
        log.Roll();
        var second = await log.CleanAsync(new OffsetMap(1 << 16), log.LogEndOffset);
        Assert.Equal(1, second.SegmentsWritten);
        Assert.True(second.SegmentsReplaced > 1);
        var records = CompactedLog.ReadAll(log).Records;
        Assert.Equal(Enumerable.Range(190, 9).Select(i => (long)i).Append(200), records.Select(r => r.Offset));
        foreach (var timestamp in new long[] { 0, 10_000, 11_895, 11_900, 11_905, 11_990 })
        {
            Assert.Equal(records.FirstOrDefault(r => r.Timestamp >= timestamp)?.Offset, log.OffsetForTimestamp(timestamp));
        }

        Assert.Null(log.OffsetForTimestamp(12_000));
    }

    /// <summary>Every record appended by offset, each key's newest, and when each offset was first cleaned.</summary>
    private sealed class Model(int keys)
    {
        private readonly Dictionary<long, KeyedRecord> _appended = [];
        private readonly Dictionary<string, KeyedRecord> _latest = [];
        private readonly List<(long End, long AtMs)> _passes = [];
        private readonly Dictionary<long, int> _sequences = [];
        private long _cleanedTo;

        public int Appended => _appended.Count;

        public void Append(PartitionLog log, Random random, FakeTimeProvider time)
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var records = Enumerable.Range(0, random.Next(1, 7))
                .Select(_ => ($"key-{random.Next(keys)}", random.Next(100) < 15 ? null : $"v{random.Next(1_000_000)}"))
                .ToArray();
            var producer = random.Next(4) == 0 ? random.Next(1, 4) : -1;
            var sequence = producer >= 0 ? _sequences.GetValueOrDefault(producer) : -1;
            var info = log.Append(Batches.Keyed((CompressionType)random.Next(5), now, records, producer, sequence));
            if (producer >= 0)
            {
                _sequences[producer] = sequence + records.Length;
            }

            for (var i = 0; i < records.Length; i++)
            {
                var record = new KeyedRecord(info.FirstOffset + i, records[i].Item1, records[i].Item2, now);
                _appended[record.Offset] = record;
                _latest[record.Key] = record;
            }
        }

        public void Passed(CleanResult result, long nowMs, long highWatermark)
        {
            Assert.True(result.CleanedTo <= highWatermark, $"the pass cleaned to {result.CleanedTo}, past the high watermark {highWatermark}");
            if (result.CleanedTo > (_passes.Count == 0 ? 0 : _passes[^1].End))
            {
                _passes.Add((result.CleanedTo, nowMs));
            }

            _cleanedTo = Math.Max(_cleanedTo, result.CleanedTo);
            LastPassMs = nowMs;
        }

        private long LastPassMs { get; set; }

        public bool AnyTombstoneIn(PartitionLog log) => CompactedLog.ReadAll(log).Records.Any(r => r.Value is null && r.Offset < _cleanedTo);

        public void Check(PartitionLog log, Random random)
        {
            var records = CompactedLog.ReadAll(log).Records;
            var previous = -1L;
            var below = new HashSet<string>(StringComparer.Ordinal);
            foreach (var record in records)
            {
                Assert.True(record.Offset > previous, $"offset {record.Offset} after {previous}");
                Assert.Equal(_appended[record.Offset], record);
                previous = record.Offset;
                if (record.Offset < _cleanedTo)
                {
                    Assert.True(below.Add(record.Key), $"key {record.Key} appears twice below the cleaned offset {_cleanedTo}");
                }
            }

            var newest = records.GroupBy(r => r.Key).ToDictionary(g => g.Key, g => g.Last());
            foreach (var (key, latest) in _latest)
            {
                if (newest.TryGetValue(key, out var kept))
                {
                    Assert.Equal(latest, kept);
                }
                else
                {
                    // Only a tombstone may go, and only when a pass ran at least delete.retention.ms after the first pass that cleaned it.
                    Assert.Null(latest.Value);
                    var firstCleaned = _passes.First(p => latest.Offset < p.End).AtMs;
                    Assert.True(LastPassMs - firstCleaned >= DeleteRetentionMs, $"the tombstone of {key} at {latest.Offset} went {LastPassMs - firstCleaned} ms after it was first cleaned");
                }
            }

            foreach (var timestamp in Enumerable.Range(0, 4).Select(_ => records.Count == 0 ? 0 : records[random.Next(records.Count)].Timestamp + random.Next(-1, 2)))
            {
                var expected = records.FirstOrDefault(r => r.Timestamp >= timestamp)?.Offset;
                var found = log.OffsetForTimestamp(timestamp);
                Assert.Equal(expected, found);
            }
        }
    }
}
