namespace OrleansLog.Client.Partitioning;

/// <summary>
/// Kafka's default key partitioner: murmur2 of the key bytes (seed 0x9747b28c), made positive by
/// clearing the sign bit, modulo the partition count. The same key lands on the same partition as
/// with Kafka's Java client and librdkafka's murmur2 partitioner. Stateless and thread-safe.
/// </summary>
public static class Murmur2Partitioner
{
    public static int Partition(ReadOnlySpan<byte> key, int partitionCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitionCount, 1);
        return (Hash(key) & 0x7fffffff) % partitionCount;
    }

    /// <summary>Kafka's <c>Utils.murmur2</c>.</summary>
    public static int Hash(ReadOnlySpan<byte> data)
    {
        const uint Seed = 0x9747b28c;
        const uint M = 0x5bd1e995;
        const int R = 24;

        var length = data.Length;
        var h = Seed ^ (uint)length;
        var blocks = length / 4;
        for (var i = 0; i < blocks; i++)
        {
            var k = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(i * 4, 4));
            k *= M;
            k ^= k >> R;
            k *= M;
            h *= M;
            h ^= k;
        }

        var tail = data[(blocks * 4)..];
        switch (tail.Length)
        {
            case 3:
                h ^= (uint)tail[2] << 16;
                goto case 2;
            case 2:
                h ^= (uint)tail[1] << 8;
                goto case 1;
            case 1:
                h ^= tail[0];
                h *= M;
                break;
        }

        h ^= h >> 13;
        h *= M;
        h ^= h >> 15;
        return (int)h;
    }
}
