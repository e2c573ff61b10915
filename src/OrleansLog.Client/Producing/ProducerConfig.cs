using OrleansLog.Partitions;
using OrleansLog.Records;

namespace OrleansLog.Client.Producing;

/// <summary>Producer settings, with Kafka's names and defaults unless a comment says otherwise.</summary>
public sealed class ProducerConfig : ClientConfig
{
    /// <summary>When a produce counts as delivered: 0, 1 or -1 (all in-sync replicas) (<c>acks</c>).</summary>
    public short Acks { get; set; } = Partitions.Acks.All;

    /// <summary>How long a partition's first record waits for more to share its batch (<c>linger.ms</c>; Kafka 4 defaults to 5).</summary>
    public TimeSpan Linger { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// A batch this large is sent without waiting for the linger (<c>batch.size</c>). While a batch is in
    /// flight the next one may grow past it, up to <see cref="MaxRequestSize"/>. Kafka's default is 16 KiB;
    /// ours is 128 KiB because the broker fsyncs every batch before acknowledging it by default, so fewer,
    /// larger batches are what keeps latency low under load (measured by the e2e benchmark).
    /// </summary>
    public int BatchSize { get; set; } = 128 * 1024;

    /// <summary>The most bytes of records waiting to be delivered; a produce beyond it waits (<c>buffer.memory</c>).</summary>
    public long BufferMemory { get; set; } = 32L * 1024 * 1024;

    /// <summary>How long a produce waits for buffer space or metadata before it fails (<c>max.block.ms</c>).</summary>
    public TimeSpan MaxBlock { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The largest batch sent in one request (<c>max.request.size</c>).</summary>
    public int MaxRequestSize { get; set; } = 1024 * 1024;

    /// <summary>The codec for batches (<c>compression.type</c>).</summary>
    public CompressionType Compression { get; set; } = CompressionType.None;

    /// <summary>Producer id and sequence numbers, so retries never duplicate or reorder (<c>enable.idempotence</c>). Null: on when <see cref="Acks"/> is all.</summary>
    public bool? EnableIdempotence { get; set; }

    /// <summary>How many times a batch is retried after a retriable error (<c>retries</c>); <see cref="DeliveryTimeout"/> bounds them too.</summary>
    public int Retries { get; set; } = int.MaxValue;

    /// <summary>The longest time from a produce to its report, retries included (<c>delivery.timeout.ms</c>).</summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Makes the producer transactional (<c>transactional.id</c>): records are sent only inside transactions that commit or
    /// abort as a whole, and a newer producer with the same id fences this one. Needs idempotence (and so acks=all).
    /// </summary>
    public string? TransactionalId { get; set; }

    /// <summary>How long a transaction may stay open before its coordinator aborts it (<c>transaction.timeout.ms</c>).</summary>
    public TimeSpan TransactionTimeout { get; set; } = TimeSpan.FromMinutes(1);

    internal bool IdempotenceEnabled => EnableIdempotence ?? (Acks == Partitions.Acks.All || TransactionalId is not null);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that is invalid.</summary>
    public void Validate()
    {
        Require("producer", Partitions.Acks.IsValid(Acks), "acks", $"{Acks} is not 0, 1 or -1 (all)");
        Require("producer", Linger >= TimeSpan.Zero, "linger.ms", "must not be negative");
        Require("producer", BatchSize > 0, "batch.size", "must be positive");
        Require("producer", MaxRequestSize >= BatchSize, "max.request.size", "must be at least batch.size");
        Require("producer", BufferMemory >= MaxRequestSize, "buffer.memory", "must be at least max.request.size");
        Require("producer", MaxBlock >= TimeSpan.Zero, "max.block.ms", "must not be negative");
        Require("producer", Retries >= 0, "retries", "must not be negative");
        Require("producer", DeliveryTimeout > TimeSpan.Zero, "delivery.timeout.ms", "must be positive");
        Require("producer", RequestTimeout > TimeSpan.Zero, "request.timeout.ms", "must be positive");
        Require("producer", Enum.IsDefined(Compression), "compression.type", $"{Compression} is not a codec");
        Require("producer", EnableIdempotence != true || Acks == Partitions.Acks.All, "enable.idempotence", "needs acks=all");
        Require("producer", TransactionalId is null || TransactionalId.Length > 0, "transactional.id", "must not be empty");
        Require("producer", TransactionalId is null || (Acks == Partitions.Acks.All && EnableIdempotence != false), "transactional.id", "needs idempotence (acks=all)");
        Require("producer", TransactionTimeout > TimeSpan.Zero && TransactionTimeout.TotalMilliseconds <= int.MaxValue, "transaction.timeout.ms", "must be positive");
    }
}
