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
/// <para>
/// Transactions: a producer's first transactional batch opens its transaction here (its first offset); the
/// coordinator's commit or abort marker closes it (<see cref="RecordMarker"/>). The smallest first offset of the
/// open ones is where the last stable offset stops (<see cref="FirstUnstableOffset"/>). A producer with an open
/// transaction is never expired: its marker must still find it.
/// </para>
/// Not thread-safe: the partition grain calls it within one turn.
/// </summary>
public sealed class ProducerStateTable
{
    /// <summary>Kafka keeps five, matching <c>max.in.flight.requests.per.connection</c> with idempotence.</summary>
    public const int CachedBatches = 5;

    /// <summary>The snapshot format <see cref="ToSnapshot"/> writes; <see cref="LoadSnapshot"/> reads it and version 1 (no transactions).</summary>
    public const ushort SnapshotVersion = 2;

    private readonly Dictionary<long, ProducerEntry> _producers = [];

    /// <summary>The open transactions by first offset: the smallest bounds the last stable offset.</summary>
    private readonly SortedSet<(long FirstOffset, long ProducerId)> _open = [];

    public int ProducerCount => _producers.Count;

    /// <summary>How many producers have a transaction open in this partition.</summary>
    public int OpenTransactionCount => _open.Count;

    /// <summary>The first offset of the oldest open transaction, or null when none is open.</summary>
    public long? FirstUnstableOffset => _open.Count > 0 ? _open.Min.FirstOffset : null;

    /// <summary>The first offset of <paramref name="producerId"/>'s open transaction, or null.</summary>
    public long? OpenTransactionOf(long producerId) =>
        _producers.TryGetValue(producerId, out var entry) && entry.OpenFirstOffset >= 0 ? entry.OpenFirstOffset : null;

    /// <summary>The epoch the table holds for <paramref name="producerId"/>, or null when it does not know it.</summary>
    public short? EpochOf(long producerId) => _producers.TryGetValue(producerId, out var entry) ? entry.Epoch : null;

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

        if (entry.OpenFirstOffset >= 0 && !batch.IsTransactional)
        {
            return ProducerBatchCheck.Refuse(ErrorCode.InvalidTxnState, $"Producer {batch.ProducerId} has a transaction open in this partition: its batches must be transactional until it ends.");
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
        if (!_producers.TryGetValue(batch.ProducerId, out var entry))
        {
            entry = new ProducerEntry(batch.ProducerEpoch);
            _producers[batch.ProducerId] = entry;
        }
        else if (batch.ProducerEpoch > entry.Epoch)
        {
            // A new epoch starts its sequences over; an open transaction stays open until its marker.
            entry.StartEpoch(batch.ProducerEpoch);
        }
        else if (batch.ProducerEpoch < entry.Epoch)
        {
            return;
        }

        if (batch.IsTransactional && entry.OpenFirstOffset < 0)
        {
            entry.OpenFirstOffset = batch.BaseOffset;
            _open.Add((batch.BaseOffset, batch.ProducerId));
        }

        if (entry.Batches.Count == CachedBatches)
        {
            entry.Batches.Dequeue();
        }

        entry.Batches.Enqueue(new CachedBatch(batch.BaseSequence, batch.LastSequence, batch.BaseOffset, batch.LastOffset));
        entry.LastSequence = batch.LastSequence;
        entry.LastTimeMs = Math.Max(entry.LastTimeMs, timeMs);
    }

    /// <summary>Decides whether a commit or abort marker from the transaction coordinator may be written; null when it may.</summary>
    public ProducerBatchCheck? CheckMarker(long producerId, short producerEpoch, int coordinatorEpoch)
    {
        if (!_producers.TryGetValue(producerId, out var entry))
        {
            return null;
        }

        if (producerEpoch < entry.Epoch)
        {
            return ProducerBatchCheck.Refuse(ErrorCode.InvalidProducerEpoch, $"A marker for producer {producerId} at epoch {producerEpoch} is older than its epoch {entry.Epoch} here.");
        }

        return coordinatorEpoch < entry.CoordinatorEpoch
            ? ProducerBatchCheck.Refuse(ErrorCode.TransactionCoordinatorFenced, $"A marker for producer {producerId} comes from coordinator epoch {coordinatorEpoch}; epoch {entry.CoordinatorEpoch} already wrote here.")
            : null;
    }

    /// <summary>
    /// Records a commit or abort marker written at <paramref name="markerOffset"/>: the producer's open transaction, if any,
    /// ends, and is returned. A marker at a newer epoch (the coordinator fenced the producer) starts its sequences over.
    /// </summary>
    public CompletedTransaction? RecordMarker(long producerId, short producerEpoch, int coordinatorEpoch, bool commit, long markerOffset, long timeMs)
    {
        if (!_producers.TryGetValue(producerId, out var entry))
        {
            entry = new ProducerEntry(producerEpoch) { LastSequence = -1 };
            _producers[producerId] = entry;
        }
        else if (producerEpoch > entry.Epoch)
        {
            entry.StartEpoch(producerEpoch);
        }

        entry.CoordinatorEpoch = Math.Max(entry.CoordinatorEpoch, coordinatorEpoch);
        entry.LastTimeMs = Math.Max(entry.LastTimeMs, timeMs);
        if (entry.OpenFirstOffset < 0)
        {
            return null;
        }

        var first = entry.OpenFirstOffset;
        _open.Remove((first, producerId));
        entry.OpenFirstOffset = -1;
        return new CompletedTransaction(producerId, first, markerOffset, commit, FirstUnstableOffset ?? markerOffset + 1);
    }

    /// <summary>Forgets producers last heard <paramref name="expirationMs"/> or more before <paramref name="nowMs"/>; returns how many.</summary>
    public int ExpireProducers(long nowMs, long expirationMs)
    {
        var expired = _producers.Where(p => p.Value.OpenFirstOffset < 0 && nowMs - p.Value.LastTimeMs >= expirationMs).Select(p => p.Key).ToList();
        foreach (var id in expired)
        {
            _producers.Remove(id);
        }

        return expired.Count;
    }

    /// <summary>Forgets everything, for a log truncated or recreated underneath.</summary>
    public void Clear()
    {
        _producers.Clear();
        _open.Clear();
    }

    /// <summary>
    /// The whole table as bytes (a snapshot, <see cref="SnapshotVersion"/>): <c>count int32 | (id int64, epoch int16,
    /// lastSequence int32, lastTimeMs int64, openFirstOffset int64, coordinatorEpoch int32, batchCount uint8 |
    /// (firstSequence int32, lastSequence int32, firstOffset int64, lastOffset int64)*)*</c>, big-endian. Version 1 had
    /// no <c>openFirstOffset</c> and <c>coordinatorEpoch</c>.
    /// </summary>
    public byte[] ToSnapshot()
    {
        var size = 4 + _producers.Sum(p => EntryHeaderSize(SnapshotVersion) + (p.Value.Batches.Count * 24));
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
            BinaryPrimitives.WriteInt64BigEndian(span[(at + 22)..], entry.OpenFirstOffset);
            BinaryPrimitives.WriteInt32BigEndian(span[(at + 30)..], entry.CoordinatorEpoch);
            span[at + 34] = (byte)entry.Batches.Count;
            at += EntryHeaderSize(SnapshotVersion);
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

    /// <summary>Replaces the table with a snapshot from <see cref="ToSnapshot"/> (of <paramref name="version"/> 1 or 2); false (and the table empty) when the bytes do not add up.</summary>
    public bool LoadSnapshot(ReadOnlySpan<byte> snapshot, ushort version = SnapshotVersion)
    {
        Clear();
        if (version is not (1 or SnapshotVersion))
        {
            return false;
        }

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
                if (version >= 2)
                {
                    entry.OpenFirstOffset = BinaryPrimitives.ReadInt64BigEndian(snapshot[(at + 22)..]);
                    entry.CoordinatorEpoch = BinaryPrimitives.ReadInt32BigEndian(snapshot[(at + 30)..]);
                }

                var batches = snapshot[at + EntryHeaderSize(version) - 1];
                at += EntryHeaderSize(version);
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
                if (entry.OpenFirstOffset >= 0)
                {
                    _open.Add((entry.OpenFirstOffset, id));
                }
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

        Clear();
        return false;
    }

    private static int EntryHeaderSize(ushort version) => version >= 2 ? 35 : 23;

    private sealed class ProducerEntry(short epoch)
    {
        public short Epoch { get; private set; } = epoch;

        public Queue<CachedBatch> Batches { get; } = new(CachedBatches);

        public int LastSequence { get; set; }

        public long LastTimeMs { get; set; } = long.MinValue;

        /// <summary>The first offset of the producer's open transaction in this partition, or -1.</summary>
        public long OpenFirstOffset { get; set; } = -1;

        /// <summary>The newest transaction coordinator epoch whose marker this partition wrote for the producer, or -1.</summary>
        public int CoordinatorEpoch { get; set; } = -1;

        public void StartEpoch(short epoch)
        {
            Epoch = epoch;
            Batches.Clear();
            LastSequence = -1;
        }
    }

    private readonly record struct CachedBatch(int FirstSequence, int LastSequence, long FirstOffset, long LastOffset);
}
