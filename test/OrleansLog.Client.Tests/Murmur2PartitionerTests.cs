using System.Text;
using OrleansLog.Client.Partitioning;

namespace OrleansLog.Client.Tests;

public class Murmur2PartitionerTests
{
    // Reference values of Kafka's Utils.murmur2 (from Kafka's own UtilsTest.testMurmur2).
    [Theory]
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    [InlineData("abc", 479470107)]
    public void Hash_matches_Kafkas_reference_values(string key, int expected) =>
        Assert.Equal(expected, Murmur2Partitioner.Hash(Encoding.ASCII.GetBytes(key)));

    [Fact]
    public void The_partition_is_the_positive_hash_modulo_the_count()
    {
        var key = Encoding.ASCII.GetBytes("foobar");
        Assert.Equal((-790332482 & 0x7fffffff) % 7, Murmur2Partitioner.Partition(key, 7));
        Assert.Equal(0, Murmur2Partitioner.Partition(key, 1));
    }

    [Fact]
    public void An_empty_key_hashes_and_a_zero_partition_count_is_refused()
    {
        Assert.InRange(Murmur2Partitioner.Partition([], 10), 0, 9);
        Assert.Throws<ArgumentOutOfRangeException>(() => Murmur2Partitioner.Partition([1], 0));
    }
}
