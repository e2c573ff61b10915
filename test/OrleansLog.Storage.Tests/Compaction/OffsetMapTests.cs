using System.Text;
using OrleansLog.Storage.Compaction;

namespace OrleansLog.Storage.Tests.Compaction;

/// <summary>The cleaner's bounded key-to-latest-offset map, against a dictionary of the same puts.</summary>
public sealed class OffsetMapTests
{
    [Fact]
    public void A_key_maps_to_its_latest_offset_and_an_unknown_key_to_minus_one()
    {
        var map = new OffsetMap(64 * 1024);
        Assert.True(map.Put(Key("a"), 3));
        Assert.True(map.Put(Key("b"), 4));
        Assert.True(map.Put(Key("a"), 9));
        Assert.Equal(9, map.Get(Key("a")));
        Assert.Equal(4, map.Get(Key("b")));
        Assert.Equal(-1, map.Get(Key("c")));
        Assert.Equal(2, map.Count);
        Assert.Equal(9, map.LatestOffset);

        // An earlier offset of a mapped key never replaces a later one.
        map.Put(Key("a"), 5);
        Assert.Equal(9, map.Get(Key("a")));
    }

    [Fact]
    public void The_empty_key_and_long_keys_are_keys_like_any_other()
    {
        var map = new OffsetMap(64 * 1024);
        map.Put([], 1);
        map.Put(new byte[100_000], 2);
        Assert.Equal(1, map.Get([]));
        Assert.Equal(2, map.Get(new byte[100_000]));
        Assert.Equal(-1, map.Get(new byte[1]));
    }

    [Fact]
    public void A_full_map_takes_no_new_key_but_still_moves_a_mapped_one()
    {
        var map = new OffsetMap(OffsetMap.BytesPerSlot * 10, loadFactor: 0.5);
        Assert.Equal(10, map.Slots);
        Assert.Equal(5, map.MaxEntries);
        for (var i = 0; i < 5; i++)
        {
            Assert.True(map.Put(Key($"k{i}"), i));
        }

        Assert.True(map.IsFull);
        Assert.Equal(1.0, map.Utilization);
        Assert.False(map.Put(Key("new"), 100));
        Assert.Equal(-1, map.Get(Key("new")));
        Assert.Equal(4, map.LatestOffset);
        Assert.True(map.Put(Key("k0"), 50));
        Assert.Equal(50, map.Get(Key("k0")));
    }

    [Fact]
    public void Clear_empties_the_map_for_the_next_log()
    {
        var map = new OffsetMap(64 * 1024);
        map.Put(Key("a"), 1);
        map.Clear();
        Assert.Equal(0, map.Count);
        Assert.Equal(-1, map.LatestOffset);
        Assert.Equal(-1, map.Get(Key("a")));
        Assert.True(map.Put(Key("a"), 2));
        Assert.Equal(2, map.Get(Key("a")));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Random_puts_agree_with_a_dictionary_until_the_map_is_full(int seed)
    {
        var random = new Random(seed);
        var map = new OffsetMap(OffsetMap.BytesPerSlot * 4_000);
        var model = new Dictionary<string, long>();
        for (var offset = 0L; offset < 20_000; offset++)
        {
            var key = $"key-{random.Next(5_000)}";
            var isNew = !model.ContainsKey(key);
            var put = map.Put(Key(key), offset);
            Assert.Equal(!isNew || model.Count < map.MaxEntries, put);
            if (put)
            {
                model[key] = offset;
            }
        }

        Assert.Equal(model.Count, map.Count);
        foreach (var (key, offset) in model)
        {
            Assert.Equal(offset, map.Get(Key(key)));
        }

        Assert.Equal(-1, map.Get(Key("never-written")));
    }

    [Fact]
    public void Settings_that_cannot_hold_a_key_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new OffsetMap(OffsetMap.BytesPerSlot));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OffsetMap(1024, loadFactor: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OffsetMap(1024, loadFactor: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OffsetMap(1024).Put(Key("a"), -1));
    }

    private static byte[] Key(string text) => Encoding.UTF8.GetBytes(text);
}
