using System.IO.Hashing;
using System.Security.Cryptography;

namespace OrleansLog.Storage.Compaction;

/// <summary>
/// The cleaner's map from a record key to the latest offset at which the key was written, in a fixed memory budget (the
/// part Kafka's SkimpyOffsetMap plays). Keys are not kept: each is stored as its 128-bit XXH3 hash under a seed drawn at
/// random for each map, so a key of any size costs 24 bytes (hash and offset, side by side in one array so a probe
/// touches one cache line) and two keys are confused with odds of about 2^-128 per pair. Why not a cryptographic hash
/// (Kafka uses MD5): SHA-256 of a short key costs about 600 ns here against 5 ns, most of a pass; and a collision
/// crafted on purpose would only let a producer drop the older of two keys' records, which its WRITE on the topic lets it
/// do anyway with a tombstone, while the random seed keeps it from choosing keys that pile into one run of slots. Open
/// addressing with linear probing; the map is full at <see cref="MaxEntries"/> (the load factor of the slots), and the
/// cleaner then cleans up to the last offset it could map, as Kafka does.
/// <para>Concurrency: not thread-safe; one cleaner thread owns a map and reuses it for log after log.</para>
/// </summary>
public sealed class OffsetMap
{
    /// <summary>Bytes of a key's hash kept per entry.</summary>
    public const int HashSize = 16;

    /// <summary>Bytes of memory per slot: the hash and the offset.</summary>
    public const int BytesPerSlot = HashSize + sizeof(long);

    private const long Empty = -1;

    /// <summary>Per slot: the hash's low and high halves, then the offset (<see cref="Empty"/> for a free slot).</summary>
    private readonly long[] _slots;
    private readonly long _seed = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(sizeof(long)));

    /// <summary>A map that holds as many keys as <paramref name="memoryBytes"/> allows at <paramref name="loadFactor"/>.</summary>
    public OffsetMap(int memoryBytes, double loadFactor = 0.9)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(memoryBytes, BytesPerSlot * 2);
        if (loadFactor is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(loadFactor), loadFactor, "The load factor must be between 0 and 1.");
        }

        Slots = memoryBytes / BytesPerSlot;
        MaxEntries = Math.Max(1, (int)(Slots * loadFactor));
        _slots = new long[Slots * 3];
        Clear();
    }

    /// <summary>How many slots the memory holds.</summary>
    public int Slots { get; }

    /// <summary>How many keys fit before the map is full.</summary>
    public int MaxEntries { get; }

    /// <summary>How many distinct keys are mapped.</summary>
    public int Count { get; private set; }

    /// <summary>Whether no other key can be added.</summary>
    public bool IsFull => Count >= MaxEntries;

    /// <summary>The largest offset put since the last <see cref="Clear"/>, or -1: how far the map covers the log.</summary>
    public long LatestOffset { get; private set; } = Empty;

    /// <summary>The share of <see cref="MaxEntries"/> in use.</summary>
    public double Utilization => (double)Count / MaxEntries;

    /// <summary>
    /// Maps <paramref name="key"/> to <paramref name="offset"/> (a later offset of a mapped key replaces the earlier one).
    /// False, and nothing changes, when the key is new and the map is full.
    /// </summary>
    public bool Put(ReadOnlySpan<byte> key, long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var hash = XxHash128.HashToUInt128(key, _seed);
        var slot = Find(hash, out var found);
        if (!found)
        {
            if (IsFull)
            {
                return false;
            }

            _slots[slot] = (long)(ulong)hash;
            _slots[slot + 1] = (long)(ulong)(hash >> 64);
            Count++;
        }

        _slots[slot + 2] = Math.Max(_slots[slot + 2], offset);
        LatestOffset = Math.Max(LatestOffset, offset);
        return true;
    }

    /// <summary>The latest offset mapped for <paramref name="key"/>, or -1 when it is not mapped.</summary>
    public long Get(ReadOnlySpan<byte> key)
    {
        var slot = Find(XxHash128.HashToUInt128(key, _seed), out var found);
        return found ? _slots[slot + 2] : Empty;
    }

    /// <summary>Empties the map for the next log.</summary>
    public void Clear()
    {
        for (var slot = 2; slot < _slots.Length; slot += 3)
        {
            _slots[slot] = Empty;
        }

        Count = 0;
        LatestOffset = Empty;
    }

    /// <summary>The index in <see cref="_slots"/> of the slot holding <paramref name="hash"/>, or of the free slot where it would go.</summary>
    private int Find(UInt128 hash, out bool found)
    {
        // The map is never more than the load factor full, so a free slot always ends the probe.
        var low = (long)(ulong)hash;
        var high = (long)(ulong)(hash >> 64);
        var slot = (int)((ulong)low % (ulong)Slots) * 3;
        while (_slots[slot + 2] != Empty)
        {
            if (_slots[slot] == low && _slots[slot + 1] == high)
            {
                found = true;
                return slot;
            }

            slot = slot + 3 == _slots.Length ? 0 : slot + 3;
        }

        found = false;
        return slot;
    }
}
