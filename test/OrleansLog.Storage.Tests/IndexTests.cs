using OrleansLog.Storage.Index;
using OrleansLog.Storage.IO;
using OrleansLog.Testing;

namespace OrleansLog.Storage.Tests;

public class IndexTests
{
    [Fact]
    public void Offset_index_lookup_finds_the_floor_entry()
    {
        var index = new OffsetIndex();
        index.Append(10, 100);
        index.Append(20, 200);
        index.Append(30, 300);
        Assert.Equal(0, index.Lookup(5));
        Assert.Equal(100, index.Lookup(10));
        Assert.Equal(200, index.Lookup(29));
        Assert.Equal(300, index.Lookup(1_000));
    }

    [Fact]
    public void Offset_index_ignores_entries_that_do_not_increase()
    {
        var index = new OffsetIndex();
        index.Append(10, 100);
        index.Append(10, 200);
        index.Append(5, 300);
        Assert.Equal(1, index.Count);
    }

    [Fact]
    public void Offset_index_truncates_by_offset_and_position()
    {
        var index = new OffsetIndex();
        for (var i = 1; i <= 10; i++)
        {
            index.Append(i * 10, i * 100);
        }

        index.TruncateToOffset(55);
        Assert.Equal(5, index.Count);
        index.TruncateToPosition(300);
        Assert.Equal(2, index.Count);
        Assert.Equal(200, index.LastPosition);
    }

    [Fact]
    public void Offset_index_file_round_trips_and_refuses_damage()
    {
        using var temp = new TempDirectory();
        var path = temp.Sub("0.index");
        var index = new OffsetIndex();
        index.Append(1, 10);
        index.Append(2, 20);
        index.WriteTo(DiskFileSystem.Instance, path);

        var loaded = OffsetIndex.TryLoad(DiskFileSystem.Instance, path, logSize: 100);
        Assert.NotNull(loaded);
        Assert.Equal(20, loaded.Lookup(5));

        Assert.Null(OffsetIndex.TryLoad(DiskFileSystem.Instance, path, logSize: 15));
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 1;
        File.WriteAllBytes(path, bytes);
        Assert.Null(OffsetIndex.TryLoad(DiskFileSystem.Instance, path, logSize: 100));
        Assert.Null(OffsetIndex.TryLoad(DiskFileSystem.Instance, temp.Sub("missing.index"), logSize: 100));
    }

    [Fact]
    public void Time_index_points_below_the_first_entry_at_or_above_the_target()
    {
        var index = new TimeIndex();
        index.MaybeAppend(100, 0);
        index.MaybeAppend(200, 10);
        index.MaybeAppend(150, 20);
        index.MaybeAppend(300, 30);
        Assert.Equal(3, index.Count);
        Assert.Equal(0, index.Lookup(50));
        Assert.Equal(0, index.Lookup(100));
        Assert.Equal(0, index.Lookup(200));
        Assert.Equal(10, index.Lookup(201));
        Assert.Equal(30, index.Lookup(10_000));
    }

    [Fact]
    public void Time_index_file_round_trips()
    {
        using var temp = new TempDirectory();
        var path = temp.Sub("0.timeindex");
        var index = new TimeIndex();
        index.MaybeAppend(100, 1);
        index.MaybeAppend(200, 5);
        index.WriteTo(DiskFileSystem.Instance, path);
        var loaded = TimeIndex.TryLoad(DiskFileSystem.Instance, path);
        Assert.NotNull(loaded);
        Assert.Equal(200, loaded.LastTimestamp);
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Null(TimeIndex.TryLoad(DiskFileSystem.Instance, path));
    }
}
