using System.Buffers.Binary;
using System.Security.Cryptography;

namespace OrleansLog.Storage.Compaction;

/// <summary>
/// The cleaner's map from a record key to the latest offset at which the key was written, in a fixed memory budget (the
/// part Kafka's SkimpyOffsetMap plays). Keys are not kept: each is stored as the first 16 bytes of its SHA-256, so a key
/// of any size costs 24 bytes (hash and offset) and two keys are confused with odds of about 2^-64 per pair, which
/// Kafka accepts with MD5 for the same reason. Open addressing with linear probing; the map is full at
/// <see cref="MaxEntries"/> (the load factor of the slots), and the cleaner then cleans up to the last offset it could
/// map, as Kafka does.
/// <para>Concurrency: not thread-safe; one cleaner thread owns a map and reuses it for log after log.</para>
/// </summary>
public sealed class OffsetMap
{
    /// <summary>Bytes of a key's hash kept per entry.</summary>
    public const int HashSize = 16;

    /// <summary>Bytes of memory per slot: the hash and the offset.</summary>
    public const int BytesPerSlot = HashSize + sizeof(long);

    private const long Empty = -1;

    private readonly byte[] _hashes;
    private readonly long[] _offsets;

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
        _hashes = new byte[Slots * HashSize];
        _offsets = new long[Slots];
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
        Span<byte> hash = stackalloc byte[HashSize];
        Hash(key, hash);
        var slot = Find(hash, out var found);
        if (!found)
        {
            if (IsFull)
            {
                return false;
            }

            hash.CopyTo(_hashes.AsSpan(slot * HashSize, HashSize));
            Count++;
        }

        _offsets[slot] = Math.Max(_offsets[slot], offset);
        LatestOffset = Math.Max(LatestOffset, offset);
        return true;
    }

    /// <summary>The latest offset mapped for <paramref name="key"/>, or -1 when it is not mapped.</summary>
    public long Get(ReadOnlySpan<byte> key)
    {
        Span<byte> hash = stackalloc byte[HashSize];
        Hash(key, hash);
        var slot = Find(hash, out var found);
        return found ? _offsets[slot] : Empty;
    }

    /// <summary>Empties the map for the next log.</summary>
    public void Clear()
    {
        Array.Fill(_offsets, Empty);
        Count = 0;
        LatestOffset = Empty;
    }

    /// <summary>The slot holding <paramref name="hash"/>, or the empty slot where it would go.</summary>
    private int Find(ReadOnlySpan<byte> hash, out bool found)
    {
        // The map is never more than the load factor full, so an empty slot always ends the probe.
        var slot = (int)(BinaryPrimitives.ReadUInt64LittleEndian(hash) % (ulong)Slots);
        while (_offsets[slot] != Empty)
        {
            if (_hashes.AsSpan(slot * HashSize, HashSize).SequenceEqual(hash))
            {
                found = true;
                return slot;
            }

            slot = slot + 1 == Slots ? 0 : slot + 1;
        }

        found = false;
        return slot;
    }

    private static void Hash(ReadOnlySpan<byte> key, Span<byte> hash)
    {
        Span<byte> full = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(key, full);
        full[..HashSize].CopyTo(hash);
    }
}
