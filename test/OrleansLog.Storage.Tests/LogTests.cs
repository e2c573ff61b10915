using Microsoft.Extensions.Time.Testing;
using OrleansLog.Records;
using OrleansLog.Storage.Tests.Support;
using OrleansLog.Testing;

namespace OrleansLog.Storage.Tests;

public sealed class LogTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string Dir => _temp.Sub("topic-0");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Append_assigns_dense_offsets_and_read_returns_the_records()
    {
        using var log = PartitionLog.Open(Dir, new LogConfig());
        var first = log.Append(Batches.Of("a", "b", "c"));
        var second = log.Append(Batches.Of("d"));

        Assert.Equal((0, 2), (first.FirstOffset, first.LastOffset));
        Assert.Equal((3, 3), (second.FirstOffset, second.LastOffset));
        Assert.Equal(4, log.LogEndOffset);
        Assert.Equal([(0, "a"), (1, "b"), (2, "c"), (3, "d")], Batches.ReadAll(log));
    }

    [Fact]
    public void Append_does_not_modify_the_callers_bytes()
    {
        using var log = PartitionLog.Open(Dir, new LogConfig());
        log.Append(Batches.Of("a"));
        var batch = Batches.Of("b");
        var copy = batch.ToArray();
        log.Append(batch, leaderEpoch: 4);
        Assert.Equal(copy, batch);

        using var read = log.Read(1, 1024);
        var header = RecordBatchHeader.Read(read.Records.Span);
        Assert.Equal(1, header.BaseOffset);
        Assert.Equal(4, header.PartitionLeaderEpoch);
    }

    [Fact]
    public void An_owned_read_keeps_its_batches_after_it_is_disposed_and_the_pool_is_reused()
    {
        using var log = PartitionLog.Open(Dir, new LogConfig());
        log.Append(Batches.Of("a", "b"));
        log.Append(Batches.Of("c"));
        ReadOnlyMemory<byte> kept;
        using (var owned = log.Read(0, 1 << 20, owned: true))
        {
            kept = owned.Records;
        }

        for (var i = 0; i < 8; i++)
        {
            using var pooled = log.Read(2, 1 << 20);
        }

        Assert.Equal([(0, "a"), (1, "b"), (2, "c")], Batches.Records(kept.Span));
    }

    [Fact]
    public void Read_from_a_middle_offset_starts_at_the_batch_that_holds_it()
    {
        using var log = PartitionLog.Open(Dir, new LogConfig());
        log.Append(Batches.Of("a", "b", "c"));
        log.Append(Batches.Of("d", "e"));
        using var read = log.Read(4, 1024);
        Assert.Equal([(3, "d"), (4, "e")], Batches.Records(read.Records.Span));
        Assert.Equal(5, read.NextOffset);
    }

    [Fact]
    public void Read_returns_whole_batches_within_max_bytes_but_at_least_one()
    {
        using var log = PartitionLog.Open(Dir, new LogConfig());
        var batch = Batches.Of("0123456789");
        for (var i = 0; i < 10; i++)
        {
            log.Append(batch);
        }

        using (var read = log.Read(0, (batch.Length * 3) + 5))
        {
            Assert.Equal(batch.Length * 3, read.Length);
            Assert.Equal(3, read.NextOffset);
        }

        using (var tiny = log.Read(0, 1))
        {
            Assert.Equal(batch.Length, tiny.Length);
        }
    }

    [Fact]
    public void Read_stops_below_the_max_offset()
    {
        using var log = PartitionLog.Open(Dir, new LogConfig());
        log.Append(Batches.Of("a"));
        log.Append(Batches.Of("b"));
        using var read = log.Read(0, 1 << 20, maxOffset: 1);
        Assert.Equal([(0, "a")], Batches.Records(read.Records.Span));
        using var none = log.Read(1, 1 << 20, maxOffset: 1);
        Assert.Equal(0, none.Length);
    }

    [Fact]
    public void Read_at_the_end_is_empty_and_past_it_is_out_of_range()
    {
        using var log = PartitionLog.Open(Dir, new LogConfig());
        log.Append(Batches.Of("a"));
        using var atEnd = log.Read(1, 1024);
        Assert.Equal(0, atEnd.Length);
        var error = Assert.Throws<OrleansLogException>(() => log.Read(2, 1024));
        Assert.Equal(ErrorCode.OffsetOutOfRange, error.Code);
        error = Assert.Throws<OrleansLogException>(() => log.Read(-1, 1024));
        Assert.Equal(ErrorCode.OffsetOutOfRange, error.Code);
    }

    [Fact]
    public void Segments_roll_at_segment_bytes_and_are_named_by_base_offset()
    {
        var batch = Batches.Of("0123456789");
        using var log = PartitionLog.Open(Dir, new LogConfig { SegmentBytes = batch.Length * 3 });
        for (var i = 0; i < 10; i++)
        {
            log.Append(batch);
        }

        Assert.Equal(4, log.SegmentCount);
        var logs = Directory.GetFiles(Dir, "*.log").Select(p => Path.GetFileName(p)!).Order().ToArray();
        Assert.Equal(["00000000000000000000.log", "00000000000000000003.log", "00000000000000000006.log", "00000000000000000009.log"], logs);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => ((long)i, "0123456789")), Batches.ReadAll(log));
    }

    [Fact]
    public void Segments_roll_at_segment_ms()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_000_000));
        using var log = PartitionLog.Open(Dir, new LogConfig { SegmentMs = 60_000 }, time: time);
        log.Append(Batches.Of(CompressionType.None, 1_000_000, "a"));
        time.Advance(TimeSpan.FromSeconds(30));
        log.Append(Batches.Of(CompressionType.None, 1_030_000, "b"));
        Assert.Equal(1, log.SegmentCount);
        time.Advance(TimeSpan.FromSeconds(31));
        log.Append(Batches.Of(CompressionType.None, 1_061_000, "c"));
        Assert.Equal(2, log.SegmentCount);
    }

    [Fact]
    public void A_batch_over_max_message_bytes_is_refused_and_nothing_is_written()
    {
        using var log = PartitionLog.Open(Dir, new LogConfig { MaxMessageBytes = 100 });
        var error = Assert.Throws<OrleansLogException>(() => log.Append(Batches.Of(new string('x', 200))));
        Assert.Equal(ErrorCode.MessageTooLarge, error.Code);
        Assert.Equal(0, log.LogEndOffset);
        Assert.Equal(0, log.SizeInBytes);
    }

    [Fact]
    public void A_batch_with_a_bad_crc_is_refused_and_nothing_is_written()
    {
        using var log = PartitionLog.Open(Dir, new LogConfig());
        var batch = Batches.Of("a");
        batch[^1] ^= 1;
        var error = Assert.Throws<OrleansLogException>(() => log.Append(batch));
        Assert.Equal(ErrorCode.CorruptMessage, error.Code);
        Assert.Equal(0, log.SizeInBytes);
    }

    [Fact]
    public void A_batch_larger_than_a_segment_is_refused()
    {
        using var log = PartitionLog.Open(Dir, new LogConfig { SegmentBytes = 100 });
        var error = Assert.Throws<OrleansLogException>(() => log.Append(Batches.Of(new string('x', 200))));
        Assert.Equal(ErrorCode.RecordListTooLarge, error.Code);
    }

    [Fact]
    public void Several_batches_in_one_append_get_consecutive_offsets()
    {
        using var log = PartitionLog.Open(Dir, new LogConfig());
        var two = Batches.Of("a", "b").Concat(Batches.Of("c")).ToArray();
        var info = log.Append(two);
        Assert.Equal((0, 2, 2), (info.FirstOffset, info.LastOffset, info.BatchCount));
        Assert.Equal([(0, "a"), (1, "b"), (2, "c")], Batches.ReadAll(log));
    }

    [Fact]
    public void Follower_appends_keep_the_leaders_offsets()
    {
        using var leader = PartitionLog.Open(_temp.Sub("leader-0"), new LogConfig());
        using var follower = PartitionLog.Open(_temp.Sub("follower-0"), new LogConfig());
        leader.Append(Batches.Of("a", "b"));
        leader.Append(Batches.Of("c"));
        using var read = leader.Read(0, 1 << 20);
        follower.AppendAsFollower(read.Records);
        Assert.Equal(3, follower.LogEndOffset);
        Assert.Equal(Batches.ReadAll(leader), Batches.ReadAll(follower));

        var error = Assert.Throws<OrleansLogException>(() => follower.AppendAsFollower(read.Records));
        Assert.Equal(ErrorCode.InvalidRecord, error.Code);
    }

    [Fact]
    public async Task AppendAsync_is_durable_when_it_returns()
    {
        var fs = new FaultInjectingFileSystem();
        using var log = PartitionLog.Open(Dir, new LogConfig(), fs);
        var info = await log.AppendAsync(Batches.Of("a"));
        Assert.True(log.FlushedOffset >= info.NextOffset);
    }

    [Fact]
    public async Task Appends_that_wait_during_a_flush_share_the_next_one()
    {
        var fs = new FaultInjectingFileSystem();
        using var log = PartitionLog.Open(Dir, new LogConfig(), fs);
        var batch = Batches.Of("x");
        fs.FlushesMayProceed.Reset();
        var leader = Task.Run(async () => await log.AppendAsync(batch, flushOnCallingThread: true));
        Assert.True(await Task.Run(() => fs.FlushIsWaiting.Wait(TimeSpan.FromSeconds(10))));
        var before = fs.FlushCount;

        var followers = Enumerable.Range(0, 99).Select(_ => log.AppendAsync(batch).AsTask()).ToArray();
        Assert.All(followers, f => Assert.False(f.IsCompleted));
        fs.FlushesMayProceed.Set();
        var leaderInfo = await leader;
        var followerInfos = await Task.WhenAll(followers);

        Assert.Equal(100, log.LogEndOffset);
        Assert.Equal(100, log.FlushedOffset);
        Assert.Equal(2, fs.FlushCount - before);
        Assert.Equal(100, followerInfos.Select(i => i.FirstOffset).Append(leaderInfo.FirstOffset).Distinct().Count());
    }

    [Fact]
    public async Task Appends_from_a_single_threaded_caller_share_flushes_when_they_do_not_flush_inline()
    {
        var fs = new FaultInjectingFileSystem();
        using var log = PartitionLog.Open(Dir, new LogConfig(), fs);
        var batch = Batches.Of("x");
        var before = fs.FlushCount;
        fs.FlushesMayProceed.Reset();

        // As a grain does: every append is issued before any flush completes.
        var appends = Enumerable.Range(0, 50).Select(_ => log.AppendAsync(batch).AsTask()).ToArray();
        Assert.True(await Task.Run(() => fs.FlushIsWaiting.Wait(TimeSpan.FromSeconds(10))));
        fs.FlushesMayProceed.Set();
        await Task.WhenAll(appends);
        Assert.Equal(50, log.FlushedOffset);
        Assert.True(fs.FlushCount - before <= 2, $"{fs.FlushCount - before} flushes for 50 appends");
    }

    [Fact]
    public async Task Concurrent_durable_appends_all_become_durable()
    {
        using var log = PartitionLog.Open(Dir, new LogConfig());
        var batch = Batches.Of("x");
        var infos = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(async () => await log.AppendAsync(batch))));
        Assert.Equal(200, log.FlushedOffset);
        Assert.Equal(200, infos.Select(i => i.FirstOffset).Distinct().Count());
    }

    [Fact]
    public async Task Lazy_mode_acknowledges_before_flushing_and_flushes_at_flush_messages()
    {
        var fs = new FaultInjectingFileSystem();
        using var log = PartitionLog.Open(Dir, new LogConfig { FlushMessages = 3 }, fs);
        await log.AppendAsync(Batches.Of("a"));
        await log.AppendAsync(Batches.Of("b"));
        Assert.Equal(0, log.FlushedOffset);
        await log.AppendAsync(Batches.Of("c"));
        Assert.Equal(3, log.FlushedOffset);
    }

    [Fact]
    public async Task Lazy_mode_flushes_on_flush_ms()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        using var log = PartitionLog.Open(Dir, new LogConfig { FlushMessages = long.MaxValue, FlushMs = 1_000 }, time: time);
        await log.AppendAsync(Batches.Of("a"));
        Assert.Equal(0, log.FlushedOffset);
        time.Advance(TimeSpan.FromSeconds(1));
        await Wait.Until(() => log.FlushedOffset == 1, "the flush.ms timer flushes");
    }

    [Fact]
    public async Task A_failed_fsync_fences_the_log()
    {
        var fs = new FaultInjectingFileSystem();
        using var log = PartitionLog.Open(Dir, new LogConfig(), fs);
        await log.AppendAsync(Batches.Of("a"));
        fs.FailFlush = true;
        var error = await Assert.ThrowsAsync<OrleansLogException>(async () => await log.AppendAsync(Batches.Of("b")));
        Assert.Equal(ErrorCode.KafkaStorageError, error.Code);
        fs.FailFlush = false;
        error = Assert.Throws<OrleansLogException>(() => log.Append(Batches.Of("c")));
        Assert.Equal(ErrorCode.KafkaStorageError, error.Code);
        Assert.Equal(1, log.FlushedOffset);
    }

    [Fact]
    public void A_torn_write_fences_the_log_and_reopening_keeps_what_came_before()
    {
        var fs = new FaultInjectingFileSystem();
        var log = PartitionLog.Open(Dir, new LogConfig(), fs);
        log.Append(Batches.Of("a"));
        fs.TearNextWriteAfter = 20;
        var error = Assert.Throws<OrleansLogException>(() => log.Append(Batches.Of("b")));
        Assert.Equal(ErrorCode.KafkaStorageError, error.Code);
        log.Dispose();

        using var reopened = PartitionLog.Open(Dir, new LogConfig());
        Assert.Equal([(0, "a")], Batches.ReadAll(reopened));
    }

    [Fact]
    public void Offset_for_timestamp_finds_the_first_record_at_or_after_it()
    {
        using var log = PartitionLog.Open(Dir, new LogConfig { IndexIntervalBytes = 1 });
        log.Append(Batches.WithTimestamps(100, 110, 120));
        log.Append(Batches.WithTimestamps(130, 125));
        log.Append(Batches.WithTimestamps(200));
        Assert.Equal(0, log.OffsetForTimestamp(50));
        Assert.Equal(1, log.OffsetForTimestamp(105));
        Assert.Equal(3, log.OffsetForTimestamp(121));
        Assert.Equal(3, log.OffsetForTimestamp(126));
        Assert.Equal(5, log.OffsetForTimestamp(131));
        Assert.Null(log.OffsetForTimestamp(201));
    }

    [Fact]
    public void Offset_for_timestamp_spans_segments()
    {
        var batch = Batches.WithTimestamps(1);
        using var log = PartitionLog.Open(Dir, new LogConfig { SegmentBytes = batch.Length * 2 });
        for (var t = 0; t < 20; t++)
        {
            log.Append(Batches.WithTimestamps(1_000 + (t * 10)));
        }

        Assert.True(log.SegmentCount > 5);
        Assert.Equal(7, log.OffsetForTimestamp(1_065));
        Assert.Equal(7, log.OffsetForTimestamp(1_070));
    }

    [Fact]
    public void Truncate_removes_the_tail_and_appends_continue_from_there()
    {
        var batch = Batches.Of("x", "y");
        using var log = PartitionLog.Open(Dir, new LogConfig { SegmentBytes = batch.Length * 2 });
        for (var i = 0; i < 6; i++)
        {
            log.Append(batch);
        }

        Assert.Equal(3, log.SegmentCount);
        Assert.Equal(6, log.TruncateTo(6));
        Assert.Equal(6, log.LogEndOffset);
        Assert.Equal(2, log.SegmentCount);
        Assert.Equal(4, log.TruncateTo(5)); // the batch holding 5 (4..5) goes whole
        log.Append(Batches.Of("z"));
        Assert.Equal(5, log.LogEndOffset);
        Assert.Equal("z", Batches.ReadAll(log)[^1].Value);
        Assert.True(log.FlushedOffset <= log.LogEndOffset);
    }

    [Fact]
    public void Truncate_fully_starts_an_empty_log_at_an_offset()
    {
        using var log = PartitionLog.Open(Dir, new LogConfig());
        log.Append(Batches.Of("a"));
        log.TruncateFullyAndStartAt(1_000);
        Assert.Equal(1_000, log.LogStartOffset);
        Assert.Equal(1_000, log.LogEndOffset);
        log.Append(Batches.Of("b"));
        Assert.Equal([(1_000, "b")], Batches.ReadAll(log));
    }

    [Fact]
    public void Delete_records_before_moves_the_start_and_survives_reopen()
    {
        var batch = Batches.Of("x");
        using (var log = PartitionLog.Open(Dir, new LogConfig { SegmentBytes = batch.Length * 2 }))
        {
            for (var i = 0; i < 6; i++)
            {
                log.Append(batch);
            }

            Assert.Equal(1, log.DeleteRecordsBefore(3));
            Assert.Equal(3, log.LogStartOffset);
            var error = Assert.Throws<OrleansLogException>(() => log.Read(2, 100));
            Assert.Equal(ErrorCode.OffsetOutOfRange, error.Code);
        }

        using var reopened = PartitionLog.Open(Dir, new LogConfig { SegmentBytes = batch.Length * 2 });
        Assert.Equal(3, reopened.LogStartOffset);
        Assert.Equal([3L, 4, 5], Batches.ReadAll(reopened).Select(r => r.Offset));
    }

    [Fact]
    public void Retention_by_time_deletes_whole_old_segments()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(100_000));
        var batch = Batches.WithTimestamps(80_000);
        using var log = PartitionLog.Open(Dir, new LogConfig { SegmentBytes = batch.Length * 2, RetentionMs = 10_000 }, time: time);
        for (var i = 0; i < 4; i++)
        {
            log.Append(Batches.WithTimestamps(80_000));
        }

        for (var i = 0; i < 4; i++)
        {
            log.Append(Batches.WithTimestamps(95_000));
        }

        Assert.Equal(4, log.SegmentCount);
        var result = log.ApplyRetention();
        Assert.Equal(2, result.DeletedSegments);
        Assert.Equal(4, log.LogStartOffset);
        var error = Assert.Throws<OrleansLogException>(() => log.Read(0, 100));
        Assert.Equal(ErrorCode.OffsetOutOfRange, error.Code);
        Assert.Equal([4L, 5, 6, 7], Batches.ReadAll(log).Select(r => r.Offset));
    }

    [Fact]
    public void Retention_rolls_an_expired_active_segment_and_then_deletes_it()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(100_000));
        using var log = PartitionLog.Open(Dir, new LogConfig { RetentionMs = 1_000 }, time: time);
        log.Append(Batches.WithTimestamps(100_000));
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(0, log.ApplyRetention().DeletedSegments);
        Assert.Equal(2, log.SegmentCount);
        Assert.Equal(1, log.ApplyRetention().DeletedSegments);
        Assert.Equal(1, log.LogStartOffset);
        Assert.Equal(1, log.LogEndOffset);
    }

    [Fact]
    public void Retention_by_bytes_keeps_at_least_the_limit()
    {
        var batch = Batches.Of("0123456789");
        using var log = PartitionLog.Open(Dir, new LogConfig { SegmentBytes = batch.Length * 2, RetentionBytes = batch.Length * 3, RetentionMs = -1 });
        for (var i = 0; i < 10; i++)
        {
            log.Append(batch);
        }

        var result = log.ApplyRetention();
        Assert.Equal(3, result.DeletedSegments);
        Assert.True(log.SizeInBytes >= batch.Length * 3);
        Assert.Equal(6, log.LogStartOffset);
    }

    [Fact]
    public void A_second_process_cannot_open_the_same_directory()
    {
        using var log = PartitionLog.Open(Dir, new LogConfig());
        var script = $"exec 9>'{Path.Combine(Dir, ".lock")}'; flock -n 9 && echo free || echo held";
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("bash", ["-c", script]) { RedirectStandardOutput = true })!;
        var output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        Assert.Equal("held", output);
    }

    [Theory]
    [InlineData("segment.bytes")]
    [InlineData("flush.messages")]
    [InlineData("retention.ms")]
    [InlineData("retention.bytes")]
    [InlineData("max.message.bytes")]
    [InlineData("segment.ms")]
    [InlineData("flush.ms")]
    [InlineData("index.interval.bytes")]
    public void Invalid_config_values_are_refused_by_name(string name)
    {
        var config = name switch
        {
            "segment.bytes" => new LogConfig { SegmentBytes = 13 },
            "flush.messages" => new LogConfig { FlushMessages = 0 },
            "retention.ms" => new LogConfig { RetentionMs = -2 },
            "retention.bytes" => new LogConfig { RetentionBytes = -2 },
            "max.message.bytes" => new LogConfig { MaxMessageBytes = -1 },
            "segment.ms" => new LogConfig { SegmentMs = 0 },
            "flush.ms" => new LogConfig { FlushMs = -1 },
            _ => new LogConfig { IndexIntervalBytes = -1 },
        };
        var error = Assert.Throws<OrleansLogException>(() => PartitionLog.Open(Dir, config));
        Assert.Equal(ErrorCode.InvalidConfig, error.Code);
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }
}
