using System.IO.Hashing;

namespace OrleansLog.Benchmarks.Compare;

/// <summary>
/// The keys of a keyed workload, as OpenMessaging Benchmark's key distributors give them: 10,000 distinct keys of
/// 7 random letters, taken in turn (<c>KEY_ROUND_ROBIN</c>) or at random (<c>RANDOM_NANO</c>; OMB draws from the
/// clock's nanoseconds, here from the message's sequence number, so two runs send the same keys).
/// Clients with a partitioner of their own (Kafka's and the native client) get the key and hash it; drivers without
/// one (NATS subjects, Redis streams) send each key to one partition of its hash, so every system keeps a key in one place.
/// Thread-safe: immutable after construction, no allocation per message.
/// </summary>
public sealed class MessageKeys
{
    public const string NoKey = "NO_KEY";
    public const string RoundRobin = "KEY_ROUND_ROBIN";
    public const string RandomNano = "RANDOM_NANO";

    /// <summary>OMB's count of distinct keys.</summary>
    public const int Count = 10_000;

    private readonly byte[][] _keys;
    private readonly uint[] _hashes;
    private readonly bool _random;

    private MessageKeys(bool random)
    {
        _random = random;
        var letters = new Random(20260101);
        _keys = new byte[Count][];
        _hashes = new uint[Count];
        for (var i = 0; i < Count; i++)
        {
            var key = new byte[7];
            for (var j = 0; j < key.Length; j++)
            {
                key[j] = (byte)('a' + letters.Next(26));
            }

            _keys[i] = key;
            _hashes[i] = XxHash32.HashToUInt32(key);
        }
    }

    /// <summary>The keys of <paramref name="workload"/>, or null when its messages carry none.</summary>
    public static MessageKeys? For(Workload workload) => workload.KeyDistributor switch
    {
        RoundRobin => new MessageKeys(random: false),
        RandomNano => new MessageKeys(random: true),
        _ => null,
    };

    /// <summary>The key of message <paramref name="sequence"/>.</summary>
    public byte[] Key(long sequence) => _keys[Index(sequence)];

    /// <summary>The partition of message <paramref name="sequence"/>'s key among <paramref name="partitions"/>.</summary>
    public int Partition(long sequence, int partitions) => (int)(_hashes[Index(sequence)] % (uint)partitions);

    /// <summary>Where message <paramref name="sequence"/> goes: its key's partition, or the next in turn when there are no keys.</summary>
    public static int PartitionOf(MessageKeys? keys, long sequence, int partitions) =>
        keys?.Partition(sequence, partitions) ?? (int)(sequence % partitions);

    private int Index(long sequence)
    {
        if (!_random)
        {
            return (int)(sequence % Count);
        }

        // A 64-bit mix (splitmix64's finalizer): consecutive sequence numbers land on unrelated keys.
        var x = (ulong)sequence + 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return (int)((x ^ (x >> 31)) % Count);
    }
}
