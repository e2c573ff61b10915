using System.Buffers;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Records.Buffers;

namespace OrleansLog.Kafka.Connections;

/// <summary>
/// One request frame, copied out of the socket's pipe into a pooled buffer so it can be handled while the
/// connection reads the next one: its header, and the body as bytes that handlers parse with a
/// <see cref="KafkaReader"/>. Disposed (the buffer returned) once its handler is done.
/// </summary>
public sealed class KafkaRequest : IDisposable
{
    /// <summary>Kafka's principal for a client that did not authenticate.</summary>
    public const string Anonymous = "User:ANONYMOUS";

    private byte[]? _frame;
    private readonly int _length;
    private ByteBudget? _budget;

    private KafkaRequest(byte[] frame, int length, RequestHeader header, ApiVersionRange? range, int bodyStart, string clientHost, ProduceOrder produceOrder, string listenerName, string principal)
    {
        ListenerName = listenerName;
        Principal = principal;
        ClientHost = clientHost;
        ProduceOrder = produceOrder;
        _frame = frame;
        _length = length;
        Header = header;
        Range = range;
        BodyStart = bodyStart;
    }

    public RequestHeader Header { get; }

    /// <summary>The client's address, as consumer groups report it.</summary>
    public string ClientHost { get; }

    /// <summary>The listener the request came in on (its advertised endpoints are the ones the client is told of).</summary>
    public string ListenerName { get; }

    /// <summary>Who sent it, as Kafka names principals: "User:name" once SASL authenticated, else "User:ANONYMOUS".</summary>
    public string Principal { get; }

    /// <summary>The connection's per-partition produce order.</summary>
    public ProduceOrder ProduceOrder { get; }

    /// <summary>The connection's partition polls left waiting by its last fetch (see <see cref="Handlers.ParkedPolls"/>); null where no connection keeps them.</summary>
    internal Handlers.ParkedPolls? ParkedPolls { get; set; }

    /// <summary>What the listener serves of this API; null for an API it does not know.</summary>
    public ApiVersionRange? Range { get; }

    public short Version => Header.ApiVersion;

    public bool Flexible => Header.Flexible;

    /// <summary>The frame's size without its prefix: what a produce quota counts.</summary>
    public int Size => _length;

    /// <summary>Time the handler spent waiting for data to arrive (a fetch's long poll), which request-time quotas do not count.</summary>
    public TimeSpan Waited { get; set; }

    private int BodyStart { get; }

    public ReadOnlySpan<byte> Body => BodyMemory.Span;

    /// <summary>The body as memory, for byte fields handed on without a copy (record batches to the partition grains). Valid until <see cref="Dispose"/>.</summary>
    public ReadOnlyMemory<byte> BodyMemory => (_frame ?? throw new ObjectDisposedException(nameof(KafkaRequest))).AsMemory(BodyStart, _length - BodyStart);

    /// <summary>
    /// Set when a call that was handed part of the frame may still be running (it failed without an answer,
    /// e.g. timed out): the buffer is then left to the garbage collector instead of going back to the pool,
    /// where another request would overwrite bytes that call may still read.
    /// </summary>
    public bool FrameMayStillBeRead { get; set; }

    /// <summary>
    /// Copies <paramref name="frame"/> (a request without its size prefix) and reads its header. With a
    /// <paramref name="budget"/>, the request owns the frame's reservation in it and gives it back when
    /// disposed; a frame that cannot be read gives it back at once.
    /// </summary>
    public static KafkaRequest Read(in ReadOnlySequence<byte> frame, string clientHost, ProduceOrder produceOrder, ByteBudget? budget = null, string listenerName = "PLAINTEXT", string principal = Anonymous)
    {
        var length = checked((int)frame.Length);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            frame.CopyTo(buffer);
            var reader = new KafkaReader(buffer.AsSpan(0, length));
            var header = RequestHeader.Read(ref reader, out var range);
            return new KafkaRequest(buffer, length, header, range, reader.Position, clientHost, produceOrder, listenerName, principal) { _budget = budget };
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            budget?.Release(length);
            throw;
        }
    }

    /// <summary>A response frame with its header written: the correlation id, and tagged fields for flexible versions (never for ApiVersions, whose answer must be readable by a client that asked for a version the broker does not know).</summary>
    public KafkaWriter StartResponse(int capacity = 512)
    {
        var writer = new KafkaWriter(capacity);
        writer.WriteInt32(Header.CorrelationId);
        writer.WriteEmptyTaggedFields(Flexible && Header.ApiKey != (short)ApiKey.ApiVersions);
        return writer;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _frame, null) is not { } frame)
        {
            return;
        }

        if (!FrameMayStillBeRead)
        {
            ArrayPool<byte>.Shared.Return(frame);
        }

        _budget?.Release(_length);
    }
}
