using System.Buffers.Binary;
using OrleansLog.Records;

namespace OrleansLog.Server.Producers;

/// <summary>
/// What a partition knows of each idempotent producer: its epoch and its last
/// <see cref="CachedBatches"/> batches (sequence range and offsets), like Kafka's ProducerStateManager.
/// A batch is checked before it is appended and recorded once it has offsets; a retried batch that
/// matches a cached one is a duplicate and is answered with the offsets it got the first time.
/// A producer the table does not know (new, or older than what the partition rebuilt on activation)
/// may start at any sequence. A producer silent for longer than <c>producer.id.expiration.ms</c> is forgotten
/// (<see cref="ExpireProducers"/>), so the table does not grow with every producer that ever wrote.
/// Not thread-safe: the partition grain calls it within one turn.
/// </summary>
public sealed class ProducerStateTable
{
    /// <summary>Kafka keeps five, matching <c>max.in.flight.requests.per.connection</c> with idempotence.</summary>
    public const int CachedBatches = 5;

    private readonly Dictionary<long, ProducerEntry> _producers = [];

    public int ProducerCount => _producers.Count;

    /// <summary>Whether the table holds state for <paramref name="producerId"/>.</summary>
    public bool Knows(long producerId) => _producers.ContainsKey(producerId);

    /// <summary>Decides what to do with a batch that carries a producer id; nothing changes.</summary>
    public ProducerBatchCheck Check(in RecordBatchHeader batch)
    {
        if (!_producers.TryGetValue(batch.ProducerId, out var entry))
        {
            return ProducerBatchCheck.Append;
        }

        if (batch.ProducerEpoch < entry.Epoch)
        {
            return ProducerBatchCheck.Refuse(ErrorCode.InvalidProducerEpoch, $"Producer {batch.ProducerId} epoch {batch.ProducerEpoch} is older than its current epoch {entry.Epoch}: a newer instance fenced it.");
        }

        if (batch.ProducerEpoch > entry.Epoch)
        {
            return batch.BaseSequence == 0
                ? ProducerBatchCheck.Append
                : ProducerBatchCheck.Refuse(ErrorCode.OutOfOrderSequenceNumber, $"Producer {batch.ProducerId} began epoch {batch.ProducerEpoch} at sequence {batch.BaseSequence}, not 0.");
        }

        foreach (var cached in entry.Batches)
        {
            if (cached.FirstSequence == batch.BaseSequence && cached.LastSequence == batch.LastSequence)
            {
                return ProducerBatchCheck.Duplicate(cached.FirstOffset, cached.LastOffset);
            }
        }

        var expected = RecordBatchHeader.AddSequence(entry.LastSequence, 1);
        return batch.BaseSequence == expected
            ? ProducerBatchCheck.Append
            : ProducerBatchCheck.Refuse(ErrorCode.OutOfOrderSequenceNumber, $"Producer {batch.ProducerId} sent sequence {batch.BaseSequence}; the partition expects {expected}.");
    }

    /// <summary>
    /// Records an appended batch; <paramref name="batch"/> carries the offsets the log stamped, and
    /// <paramref name="timeMs"/> when the producer was last heard (the broker's clock, or the batch's time when rebuilt from the log).
    /// </summary>
    public void Record(in RecordBatchHeader batch, long timeMs)
    {
        if (!_producers.TryGetValue(batch.ProducerId, out var entry) || batch.ProducerEpoch > entry.Epoch)
        {
            entry = new ProducerEntry(batch.ProducerEpoch);
            _producers[batch.ProducerId] = entry;
        }
        else if (batch.ProducerEpoch < entry.Epoch)
        {
            return;
        }

        if (entry.Batches.Count == CachedBatches)
        {
            entry.Batches.Dequeue();
        }

        entry.Batches.Enqueue(new CachedBatch(batch.BaseSequence, batch.LastSequence, batch.BaseOffset, batch.LastOffset));
        entry.LastSequence = batch.LastSequence;
        entry.LastTimeMs = Math.Max(entry.LastTimeMs, timeMs);
    }

    /// <summary>Forgets producers last heard <paramref name="expirationMs"/> or more before <paramref name="nowMs"/>; returns how many.</summary>
    public int ExpireProducers(long nowMs, long expirationMs)
    {
        var expired = _producers.Where(p => nowMs - p.Value.LastTimeMs >= expirationMs).Select(p => p.Key).ToList();
        foreach (var id in expired)
        {
            _producers.Remove(id);
        }

        return expired.Count;
    }

    /// <summary>Forgets everything, for a log truncated or recreated underneath.</summary>
    public void Clear() => _producers.Clear();

    /// <summary>
    /// The whole table as bytes (a snapshot): <c>count int32 | (id int64, epoch int16, lastSequence int32,
    /// lastTimeMs int64, batchCount uint8 | (firstSequence int32, lastSequence int32, firstOffset int64, lastOffset int64)*)*</c>, big-endian.
    /// </summary>
    public byte[] ToSnapshot()
    {
        var size = 4 + _producers.Sum(p => 8 + 2 + 4 + 8 + 1 + (p.Value.Batches.Count * 24));
        var bytes = new byte[size];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteInt32BigEndian(span, _producers.Count);
        var at = 4;
        foreach (var (id, entry) in _producers)
        {
            BinaryPrimitives.WriteInt64BigEndian(span[at..], id);
            BinaryPrimitives.WriteInt16BigEndian(span[(at + 8)..], entry.Epoch);
            BinaryPrimitives.WriteInt32BigEndian(span[(at + 10)..], entry.LastSequence);
            BinaryPrimitives.WriteInt64BigEndian(span[(at + 14)..], entry.LastTimeMs);
            span[at + 22] = (byte)entry.Batches.Count;
            at += 23;
            foreach (var batch in entry.Batches)
            {
                BinaryPrimitives.WriteInt32BigEndian(span[at..], batch.FirstSequence);
                BinaryPrimitives.WriteInt32BigEndian(span[(at + 4)..], batch.LastSequence);
                BinaryPrimitives.WriteInt64BigEndian(span[(at + 8)..], batch.FirstOffset);
                BinaryPrimitives.WriteInt64BigEndian(span[(at + 16)..], batch.LastOffset);
                at += 24;
            }
        }

        return bytes;
    }

    /// <summary>Replaces the table with a snapshot from <see cref="ToSnapshot"/>; false (and the table empty) when the bytes do not add up.</summary>
    public bool LoadSnapshot(ReadOnlySpan<byte> snapshot)
    {
        _producers.Clear();
        try
        {
            var count = BinaryPrimitives.ReadInt32BigEndian(snapshot);
            var at = 4;
            for (var i = 0; i < count; i++)
            {
                var entry = new ProducerEntry(BinaryPrimitives.ReadInt16BigEndian(snapshot[(at + 8)..]))
                {
                    LastSequence = BinaryPrimitives.ReadInt32BigEndian(snapshot[(at + 10)..]),
                    LastTimeMs = BinaryPrimitives.ReadInt64BigEndian(snapshot[(at + 14)..]),
                };
                var id = BinaryPrimitives.ReadInt64BigEndian(snapshot[at..]);
                var batches = snapshot[at + 22];
                at += 23;
                for (var b = 0; b < batches; b++)
                {
                    entry.Batches.Enqueue(new CachedBatch(
                        BinaryPrimitives.ReadInt32BigEndian(snapshot[at..]),
                        BinaryPrimitives.ReadInt32BigEndian(snapshot[(at + 4)..]),
                        BinaryPrimitives.ReadInt64BigEndian(snapshot[(at + 8)..]),
                        BinaryPrimitives.ReadInt64BigEndian(snapshot[(at + 16)..])));
                    at += 24;
                }

                _producers[id] = entry;
            }

            if (at == snapshot.Length)
            {
                return true;
            }
        }
        catch (ArgumentOutOfRangeException)
        {
            // Truncated: read as no snapshot.
        }

        _producers.Clear();
        return false;
    }

    private sealed class ProducerEntry(short epoch)
    {
        public short Epoch { get; } = epoch;

        public Queue<CachedBatch> Batches { get; } = new(CachedBatches);

        public int LastSequence { get; set; }

        public long LastTimeMs { get; set; } = long.MinValue;
    }

    private readonly record struct CachedBatch(int FirstSequence, int LastSequence, long FirstOffset, long LastOffset);
}
