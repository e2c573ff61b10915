using OrleansLog.Records;
using OrleansLog.Storage.IO;
using OrleansLog.Storage.Tests.Support;
using OrleansLog.Testing;

namespace OrleansLog.Storage.Tests;

/// <summary>The broker's shared cache of file handles over the real disk, with the real handles counted.</summary>
public sealed class HandleCacheTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    [Fact]
    public void Many_files_in_use_hold_no_more_handles_than_the_capacity_and_keep_every_byte()
    {
        var disk = new FaultInjectingFileSystem();
        var cache = new HandleCachingFileSystem(disk, capacity: 3);
        var files = Enumerable.Range(0, 10).Select(i => cache.Open(Path.Combine(_directory.Path, $"{i}.log"), create: true)).ToList();

        for (var round = 0; round < 5; round++)
        {
            foreach (var (file, i) in files.Select((f, i) => (f, i)))
            {
                file.Write([(byte)(i * 10 + round)], round);
                Assert.InRange(disk.OpenHandles, 0, 3);
            }
        }

        foreach (var (file, i) in files.Select((f, i) => (f, i)))
        {
            file.Flush();
            var read = new byte[5];
            Assert.Equal(5, file.Read(read, 0));
            Assert.Equal(Enumerable.Range(0, 5).Select(round => (byte)(i * 10 + round)), read);
            Assert.Equal(5, file.GetLength());
        }

        Assert.True(disk.Opened > 10, $"only {disk.Opened} opens: nothing was evicted and reopened");
        Assert.InRange(cache.OpenHandles, 0, 3);
        files.ForEach(f => f.Dispose());
        Assert.Equal(0, cache.OpenHandles);
        Assert.Equal(0, disk.OpenHandles);
    }

    [Fact]
    public void A_disposed_file_refuses_to_be_used()
    {
        var cache = new HandleCachingFileSystem(DiskFileSystem.Instance, capacity: 2);
        var file = cache.Open(Path.Combine(_directory.Path, "closed.log"), create: true);
        file.Dispose();

        Assert.Throws<ObjectDisposedException>(() => file.Write([1], 0));
    }

    [Fact]
    public void A_missing_file_is_reported_when_opened_as_the_disk_would()
    {
        var cache = new HandleCachingFileSystem(DiskFileSystem.Instance, capacity: 2);

        Assert.Throws<FileNotFoundException>(() => cache.Open(Path.Combine(_directory.Path, "missing.log"), create: false));
    }

    [Fact]
    public void When_the_process_runs_out_of_handles_idle_ones_are_closed_and_the_open_tried_again()
    {
        // The process limit leaves room for 2 of this cache's handles (the rest of the limit is taken by sockets).
        var disk = new FaultInjectingFileSystem { HandleLimit = 2 };
        var cache = new HandleCachingFileSystem(disk, capacity: 100);
        var first = cache.Open(Path.Combine(_directory.Path, "a.log"), create: true);
        var second = cache.Open(Path.Combine(_directory.Path, "b.log"), create: true);

        var third = cache.Open(Path.Combine(_directory.Path, "c.log"), create: true);
        third.Write([3], 0);
        first.Write([1], 0);

        Assert.InRange(disk.OpenHandles, 0, 2);
        Assert.Equal(0, second.GetLength());
        var read = new byte[1];
        Assert.Equal(1, third.Read(read, 0));
        Assert.Equal(3, read[0]);
    }

    [Fact]
    public void With_no_handle_left_at_all_an_open_fails_retriably_and_is_counted()
    {
        var disk = new FaultInjectingFileSystem { HandleLimit = 0 };
        var cache = new HandleCachingFileSystem(disk, capacity: 10);

        var error = Assert.Throws<OrleansLogException>(() => cache.Open(Path.Combine(_directory.Path, "none.log"), create: true));

        Assert.Equal(ErrorCode.KafkaStorageError, error.Code);
        Assert.Contains("out of file handles", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, cache.Refusals);
    }

    [Fact]
    public async Task A_log_that_cannot_get_a_handle_fails_retriably_stays_online_and_loses_nothing()
    {
        var disk = new FaultInjectingFileSystem();
        var cache = new HandleCachingFileSystem(disk, capacity: 1);
        var directory = Path.Combine(_directory.Path, "topic-0");
        using var log = PartitionLog.Open(directory, new LogConfig { FlushMessages = 1 }, cache);
        await log.AppendAsync(Batches.Of("before"), flushOnCallingThread: true);

        // Another file takes the one cached handle, then the process has none left to give (sockets took them all):
        // even closing the idle ones does not help.
        using (var other = cache.Open(Path.Combine(_directory.Path, "other.log"), create: true))
        {
            other.Write([1], 0);
        }

        disk.HandleLimit = 0;
        var refused = await Assert.ThrowsAsync<OrleansLogException>(async () => await log.AppendAsync(Batches.Of("refused"), flushOnCallingThread: true));

        disk.HandleLimit = int.MaxValue;
        var after = await log.AppendAsync(Batches.Of("after"), flushOnCallingThread: true);

        Assert.Equal(ErrorCode.KafkaStorageError, refused.Code);
        Assert.Contains("out of file handles", refused.Message, StringComparison.Ordinal);
        Assert.Equal(1, after.FirstOffset);
        using var read = log.Read(0, 1 << 20);
        Assert.Equal([(0L, "before"), (1L, "after")], Batches.Records(read.Records.Span));
    }

    public void Dispose() => _directory.Dispose();
}
