using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using NATS.Client.Core;

namespace OrleansLog.Benchmarks.Compare.Drivers;

/// <summary>
/// JetStream publishing with asynchronous acks: each message is a core publish whose reply subject is
/// <c>inbox.N</c>; the stream's acks (or errors) arrive on one subscription to <c>inbox.*</c> and are
/// matched to their messages by N.
/// </summary>
public sealed class NatsAsyncPublisher : IBenchmarkProducer
{
    private readonly NatsConnection _connection;
    private readonly string[] _subjects;
    private readonly MessageKeys? _keys;
    private readonly string _inbox;
    private readonly INatsSub<bool> _acks;
    private readonly ConcurrentDictionary<long, (long SentTimestamp, IPublishSink Sink)> _pending = new();
    private readonly Task _reader;
    private long _next;

    private NatsAsyncPublisher(NatsConnection connection, string[] subjects, MessageKeys? keys, string inbox, INatsSub<bool> acks)
    {
        _connection = connection;
        _subjects = subjects;
        _keys = keys;
        _inbox = inbox;
        _acks = acks;
        _reader = Task.Run(ReadAcks);
    }

    /// <summary>Publishes to <paramref name="subjects"/> (a subject per partition): each key to its own, or each in turn without keys.</summary>
    public static async Task<NatsAsyncPublisher> StartAsync(NatsConnection connection, string[] subjects, MessageKeys? keys)
    {
        // Not under the connection's own _INBOX prefix: NATS.Net routes those to its request muxer, which matches exact subjects only.
        var inbox = $"bench-acks.{Guid.NewGuid():N}";
        var acks = await connection.SubscribeCoreAsync($"{inbox}.*", serializer: PubAckDeserializer.Instance, opts: new NatsSubOpts { ChannelOpts = new NatsSubChannelOpts { Capacity = 1 << 20 } });
        return new NatsAsyncPublisher(connection, subjects, keys, inbox, acks);
    }

    public void Send(long sequence, byte[] payload, long sentTimestamp, IPublishSink sink)
    {
        var id = Interlocked.Increment(ref _next);
        _pending[id] = (sentTimestamp, sink);

        // The connection may still be writing after this call returns: it gets its own copy of the runner's buffer.
        var publish = _connection.PublishAsync(_subjects[MessageKeys.PartitionOf(_keys, sequence, _subjects.Length)], payload.ToArray(), replyTo: string.Create(CultureInfo.InvariantCulture, $"{_inbox}.{id}"), serializer: NatsRawSerializer<byte[]>.Default);
        if (!publish.IsCompletedSuccessfully)
        {
            _ = Observe(publish, id);
        }
    }

    public Task FlushAsync() => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await _acks.UnsubscribeAsync();
        await _reader;
        await _acks.DisposeAsync();
    }

    private async Task Observe(ValueTask publish, long id)
    {
        try
        {
            await publish;
        }
        catch (Exception e)
        {
            if (_pending.TryRemove(id, out var failed))
            {
                failed.Sink.Failed(failed.SentTimestamp, e.Message);
            }
        }
    }

    private async Task ReadAcks()
    {
        await foreach (var ack in _acks.Msgs.ReadAllAsync())
        {
            var subject = ack.Subject;
            if (!long.TryParse(subject.AsSpan(subject.LastIndexOf('.') + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var id) || !_pending.TryRemove(id, out var pending))
            {
                continue;
            }

            if (ack.Data)
            {
                pending.Sink.Acknowledged(pending.SentTimestamp);
            }
            else
            {
                pending.Sink.Failed(pending.SentTimestamp, $"JetStream refused the publish (reply to {subject})");
            }
        }
    }

    /// <summary>A PubAck is JSON with "stream" and "seq"; a refusal carries "error". Only that difference is read.</summary>
    private sealed class PubAckDeserializer : INatsDeserialize<bool>
    {
        public static PubAckDeserializer Instance { get; } = new();

        private static ReadOnlySpan<byte> Error => "\"error\""u8;

        public bool Deserialize(in ReadOnlySequence<byte> buffer) =>
            (buffer.IsSingleSegment ? buffer.FirstSpan.IndexOf(Error) : buffer.ToArray().AsSpan().IndexOf(Error)) < 0;
    }
}
