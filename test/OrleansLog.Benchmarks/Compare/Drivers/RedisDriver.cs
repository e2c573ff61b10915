using System.Globalization;
using StackExchange.Redis;

namespace OrleansLog.Benchmarks.Compare.Drivers;

/// <summary>
/// StackExchange.Redis against Redis Streams, as Redis advises for throughput: pipelined XADDs (the
/// multiplexer writes every outstanding command at once; the runner bounds how many), one stream per
/// partition (<c>topic-N</c>, the usual way to shard a stream), and a consumer group per subscription
/// read with XREADGROUP COUNT 500 NOACK over all partition streams (the group's last-delivered id is
/// its position, as a Kafka group's offsets are). The multiplexer cannot block (no BLOCK), so an empty
/// read waits 1 ms before the next. With replicas, acks=all is WAIT: after each set of XADDs the
/// producer waits until both replicas have them, and only then acknowledges that set.
/// </summary>
public sealed class RedisDriver(string endpoint, string appendFsync, int replicas) : IBenchmarkDriver, IAsyncDisposable
{
    private const string Field = "p";

    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromMinutes(2);

    private readonly List<ConnectionMultiplexer> _connections = [];

    /// <summary>The connection that deletes finished workloads' streams and rewrites the AOF, kept across workloads.</summary>
    private ConnectionMultiplexer? _admin;

    public string Name => $"Redis Streams (appendfsync {appendFsync})";

    public string Durability(Workload workload) => (appendFsync, replicas) switch
    {
        ("always", 0) => "AOF fsynced before the reply (group commit per event-loop pass)",
        (_, 0) => "AOF written before the reply, fsynced once a second",
        ("always", _) => "primary's AOF fsynced before the reply, then WAIT 2: both replicas hold it (replicas fsync on their own)",
        _ => "AOF fsynced once a second, then WAIT 2: both replicas hold it",
    };

    /// <summary>Streams come into being with their consumer groups (MKSTREAM), when the consumers are created.</summary>
    public Task CreateTopicAsync(string topic, Workload workload) => Task.CompletedTask;

    public async Task DeleteTopicAsync(string topic, Workload workload)
    {
        _admin ??= await Connect(admin: true);
        var database = _admin.GetDatabase();
        await database.KeyDeleteAsync(Keys(topic, workload));

        // The AOF still holds every XADD: rewrite it to the (now empty) data set, as Redis does on its own once the file grows.
        await database.ExecuteAsync("BGREWRITEAOF");
    }

    public async Task<IBenchmarkProducer> CreateProducerAsync(string topic, Workload workload) =>
        new RedisProducer((await Connect()).GetDatabase(), Keys(topic, workload), MessageKeys.For(workload), workload.Acks == "all" ? replicas : 0);

    public async Task<IBenchmarkConsumer> CreateConsumerAsync(string topic, string subscription, Workload workload)
    {
        var database = (await Connect()).GetDatabase();
        var keys = Keys(topic, workload);
        foreach (var key in keys)
        {
            try
            {
                await database.StreamCreateConsumerGroupAsync(key, subscription, StreamPosition.Beginning, createStream: true);
            }
            catch (RedisServerException e) when (e.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
            {
                // Another member of the subscription made it.
            }
        }

        return new RedisConsumer(database, keys, subscription, $"consumer-{Guid.NewGuid():N}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }

        _connections.Clear();
        _admin = null;
    }

    private static RedisKey[] Keys(string topic, Workload workload) =>
        [.. Enumerable.Range(0, workload.PartitionsPerTopic).Select(p => (RedisKey)string.Create(CultureInfo.InvariantCulture, $"{topic}-{p}"))];

    /// <summary>
    /// A multiplexer per producer and consumer: a producer's WAIT holds its own connection only. Commands
    /// may wait as long as a Kafka producer's delivery (<c>delivery.timeout.ms</c>, 120 s by default), not
    /// StackExchange.Redis' 5 s: the runner lets 32 MiB wait for acknowledgement, so a server slower than
    /// about 6 MB/s (Redis fsyncing every write on a slow disk) would otherwise show the client's timeout
    /// as failed messages rather than its own rate and latency.
    /// </summary>
    private async Task<ConnectionMultiplexer> Connect(bool admin = false)
    {
        var options = ConfigurationOptions.Parse(endpoint);
        options.AllowAdmin = admin;
        options.AsyncTimeout = (int)DeliveryTimeout.TotalMilliseconds;
        options.SyncTimeout = (int)DeliveryTimeout.TotalMilliseconds;
        var connection = await ConnectionMultiplexer.ConnectAsync(options);
        lock (_connections)
        {
            _connections.Add(connection);
        }

        return connection;
    }

    /// <summary>Adds to <paramref name="keys"/> (a stream per partition): each message key's to its own stream, or each stream in turn without keys.</summary>
    private sealed class RedisProducer(IDatabase database, RedisKey[] keys, MessageKeys? messageKeys, int replicas) : IBenchmarkProducer
    {
        private readonly Lock _gate = new();
        private List<Pending> _unreplicated = [];
        private bool _waiting;

        public void Send(long sequence, byte[] payload, long sentTimestamp, IPublishSink sink)
        {
            // The multiplexer writes the value later, from its own thread: it gets its own copy.
            var add = database.StreamAddAsync(keys[MessageKeys.PartitionOf(messageKeys, sequence, keys.Length)], Field, payload.ToArray());
            if (replicas == 0)
            {
                _ = Acknowledge(add, sentTimestamp, sink);
                return;
            }

            lock (_gate)
            {
                _unreplicated.Add(new Pending(add, sentTimestamp, sink));
                if (_waiting)
                {
                    return;
                }

                _waiting = true;
            }

            _ = WaitForReplicas();
        }

        public Task FlushAsync() => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        private static async Task Acknowledge(Task<RedisValue> add, long sentTimestamp, IPublishSink sink)
        {
            try
            {
                await add;
                sink.Acknowledged(sentTimestamp);
            }
            catch (Exception e)
            {
                sink.Failed(sentTimestamp, e.Message);
            }
        }

        /// <summary>
        /// One WAIT at a time covers every XADD written before it (one connection keeps their order); the
        /// XADDs sent while it waits are covered by the next.
        /// </summary>
        private async Task WaitForReplicas()
        {
            while (true)
            {
                List<Pending> covered;
                lock (_gate)
                {
                    if (_unreplicated.Count == 0)
                    {
                        _waiting = false;
                        return;
                    }

                    covered = _unreplicated;
                    _unreplicated = [];
                }

                string? failure = null;
                try
                {
                    var acknowledged = (long)await database.ExecuteAsync("WAIT", replicas, 5000);
                    failure = acknowledged >= replicas ? null : $"WAIT: {acknowledged} of {replicas} replicas within 5 s";
                }
                catch (Exception e)
                {
                    failure = e.Message;
                }

                foreach (var pending in covered)
                {
                    if (failure is null && pending.Add.IsCompletedSuccessfully)
                    {
                        pending.Sink.Acknowledged(pending.SentTimestamp);
                    }
                    else
                    {
                        pending.Sink.Failed(pending.SentTimestamp, failure ?? pending.Add.Exception?.GetBaseException().Message ?? "XADD did not complete before its WAIT");
                    }
                }
            }
        }

        private sealed record Pending(Task<RedisValue> Add, long SentTimestamp, IPublishSink Sink);
    }

    private sealed class RedisConsumer(IDatabase database, RedisKey[] keys, string group, string name) : IBenchmarkConsumer
    {
        public Task Ready => Task.CompletedTask;

        public async Task RunAsync(Action<long> received, CancellationToken stop)
        {
            var positions = keys.Select(k => new StreamPosition(k, StreamPosition.NewMessages)).ToArray();
            while (!stop.IsCancellationRequested)
            {
                var streams = await database.StreamReadGroupAsync(positions, group, name, countPerStream: 500, noAck: true);
                var read = 0;
                foreach (var stream in streams)
                {
                    foreach (var entry in stream.Entries)
                    {
                        received(SendTime.Read(((ReadOnlyMemory<byte>)entry.Values[0].Value).Span));
                        read++;
                    }
                }

                if (read == 0)
                {
                    try
                    {
                        await Task.Delay(1, stop);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            }
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
