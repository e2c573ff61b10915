using System.Diagnostics;
using OrleansLog.Benchmarks.Compare.Drivers;

namespace OrleansLog.Benchmarks.Compare;

/// <summary>
/// Runs one workload against one driver, the same way for every driver. Producers run on their own
/// threads, each message carrying its send time; at most <see cref="MaxInFlight"/> messages wait for
/// their acknowledgement at once (per producer), the same window for every driver. Rates and latencies
/// count only messages sent after the warm-up. A backlog workload writes the backlog first, with no
/// consumer reading, and then times its drain.
/// </summary>
public sealed class WorkloadRunner(IBenchmarkServers servers, IBenchmarkDriver driver, Workload workload, string topic, double rawDiskMegabytesPerSecond) : IDisposable
{
    /// <summary>How long a run may wait for its last acknowledgements, or for consumers to catch up, before it reports what it has.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>A backlog is written at most this long, whatever its size.</summary>
    private static readonly TimeSpan BacklogLimit = TimeSpan.FromMinutes(10);

    private readonly LatencyHistogram _endToEndLatency = new();
    private readonly PublishTracker _tracker = new(MaxInFlight(workload.MessageSize) * workload.ProducersPerTopic);
    private long _consumed;
    private long _consumedInWindow;
    private long _firstReceive;
    private long _lastReceive;

    /// <summary>32 MiB of messages awaiting acknowledgement, between 1,000 and 100,000 of them.</summary>
    public static int MaxInFlight(int messageSize) => Math.Clamp((32 << 20) / messageSize, 1000, 100_000);

    public void Dispose() => _tracker.Dispose();

    public async Task<WorkloadResult> RunAsync()
    {
        await driver.CreateTopicAsync(topic, workload);
        var producers = new List<IBenchmarkProducer>();
        for (var i = 0; i < workload.ProducersPerTopic; i++)
        {
            producers.Add(await driver.CreateProducerAsync(topic, workload));
        }

        var consumers = new List<IBenchmarkConsumer>();
        using var stopConsumers = new CancellationTokenSource();
        var reading = new List<Task>();
        await using var usage = ServerUsage.Start(servers.ProcessIds);
        var runtimeAtStart = await servers.RuntimeAsync();
        double publishSeconds;
        try
        {
            if (!workload.IsBacklog)
            {
                await StartConsumers(consumers, reading, stopConsumers.Token);
            }

            publishSeconds = await Produce(producers);
            if (workload.IsBacklog)
            {
                await StartConsumers(consumers, reading, stopConsumers.Token);
            }

            await WaitUntil(() => Interlocked.Read(ref _consumed) >= _tracker.AcknowledgedCount * workload.SubscriptionsPerTopic);
        }
        finally
        {
            await stopConsumers.CancelAsync();
            await Task.WhenAll(reading).WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(_ => { }, TaskScheduler.Default);
            foreach (var consumer in consumers)
            {
                await consumer.DisposeAsync();
            }

            foreach (var producer in producers)
            {
                await producer.DisposeAsync();
            }
        }

        var runtime = runtimeAtStart is { } before && await servers.RuntimeAsync() is { } after ? after - before : null;
        var drain = workload.IsBacklog && _lastReceive > _firstReceive ? Stopwatch.GetElapsedTime(_firstReceive, _lastReceive).TotalSeconds : (double?)null;
        var consumeSeconds = drain ?? (_lastReceive > _tracker.WindowStart ? Stopwatch.GetElapsedTime(_tracker.WindowStart, _lastReceive).TotalSeconds : 0);
        return new WorkloadResult
        {
            Workload = workload.Name,
            Driver = driver.Name,
            Durability = driver.Durability(workload),
            MessageSize = workload.MessageSize,
            Published = _tracker.AcknowledgedInWindow,
            PublishSeconds = publishSeconds,
            Consumed = workload.IsBacklog ? Interlocked.Read(ref _consumed) : Interlocked.Read(ref _consumedInWindow),
            ConsumeSeconds = consumeSeconds,
            PublishLatency = _tracker.Latency.Summarize(),
            EndToEndLatency = workload.IsBacklog ? null : _endToEndLatency.Summarize(),
            BacklogDrainSeconds = drain,
            Failures = _tracker.Failures,
            FirstError = _tracker.FirstError ?? ConsumerError(reading),
            ServerCpuPercent = usage.CpuPercent,
            ServerPeakRssMegabytes = usage.PeakRssMegabytes,
            ServerPeakPrivateMegabytes = usage.PeakPrivateMegabytes,
            ServerRuntime = runtime,
            AcknowledgedTotal = _tracker.AcknowledgedCount,
            RawDiskMegabytesPerSecond = rawDiskMegabytesPerSecond,
        };
    }

    /// <summary>Why a consumer stopped reading before the end (its loop threw): otherwise a row would only show fewer messages consumed.</summary>
    private static string? ConsumerError(List<Task> reading) =>
        reading.FirstOrDefault(t => t.IsFaulted)?.Exception?.GetBaseException() is { } e ? $"consumer stopped: {e.GetType().Name}: {e.Message}" : null;

    private async Task StartConsumers(List<IBenchmarkConsumer> consumers, List<Task> reading, CancellationToken stop)
    {
        for (var s = 0; s < workload.SubscriptionsPerTopic; s++)
        {
            for (var c = 0; c < workload.ConsumerPerSubscription; c++)
            {
                var consumer = await driver.CreateConsumerAsync(topic, $"{topic}-sub-{s}", workload);
                consumers.Add(consumer);
                reading.Add(consumer.RunAsync(Received, stop));
            }
        }

        await Task.WhenAll(consumers.Select(c => c.Ready)).WaitAsync(Patience, stop);
    }

    private void Received(long sentTimestamp)
    {
        var now = Stopwatch.GetTimestamp();
        if (Interlocked.Increment(ref _consumed) == 1)
        {
            Volatile.Write(ref _firstReceive, now);
        }

        Volatile.Write(ref _lastReceive, now);
        if (sentTimestamp >= _tracker.WindowStart)
        {
            Interlocked.Increment(ref _consumedInWindow);
            _endToEndLatency.RecordSince(sentTimestamp);
        }
    }

    /// <summary>Runs the producers to the end of the workload and waits for their acknowledgements; returns the measured publish window in seconds.</summary>
    private async Task<double> Produce(List<IBenchmarkProducer> producers)
    {
        // One acknowledged message per producer before the clock starts: connections, metadata and producer ids are in place, as after any warm-up.
        var probe = new byte[workload.MessageSize];
        foreach (var producer in producers)
        {
            _tracker.WaitForRoom();
            var now = Stopwatch.GetTimestamp();
            SendTime.Write(probe, now);
            producer.Send(0, probe, now, _tracker);
        }

        await Task.WhenAll(producers.Select(p => p.FlushAsync()));
        await WaitUntil(() => _tracker.Outstanding == 0);

        var started = Stopwatch.GetTimestamp();
        var warmUpEnds = started + (long)(workload.WarmUp.TotalSeconds * Stopwatch.Frequency);
        _tracker.WindowStart = workload.IsBacklog || workload.WarmUp == TimeSpan.Zero ? started : long.MaxValue;
        var backlogMessages = workload.BacklogBytes / workload.MessageSize / producers.Count;
        var end = started + (long)((workload.IsBacklog ? BacklogLimit : workload.WarmUp + workload.Duration).TotalSeconds * Stopwatch.Frequency);
        var perProducerRate = workload.ProducerRate / (double)producers.Count;

        var threads = producers.Select((producer, index) => Task.Factory.StartNew(
            () =>
            {
                var payload = new byte[workload.MessageSize];
                Random.Shared.NextBytes(payload);
                long sent = 0;
                while (true)
                {
                    var now = Stopwatch.GetTimestamp();
                    if (now >= warmUpEnds && _tracker.WindowStart == long.MaxValue && index == 0)
                    {
                        _tracker.WindowStart = now;
                    }

                    if (now >= end || (workload.IsBacklog && sent >= backlogMessages))
                    {
                        return;
                    }

                    if (perProducerRate > 0 && sent >= Stopwatch.GetElapsedTime(started, now).TotalSeconds * perProducerRate)
                    {
                        Thread.Sleep(1);
                        continue;
                    }

                    _tracker.WaitForRoom();
                    now = Stopwatch.GetTimestamp();
                    SendTime.Write(payload, now);
                    producer.Send((sent * producers.Count) + index, payload, now, _tracker);
                    sent++;
                }
            },
            TaskCreationOptions.LongRunning)).ToList();
        await Task.WhenAll(threads);
        await Task.WhenAll(producers.Select(p => p.FlushAsync()));
        await WaitUntil(() => _tracker.Outstanding == 0);
        var windowStart = _tracker.WindowStart;
        return _tracker.LastAcknowledged > windowStart ? Stopwatch.GetElapsedTime(windowStart, _tracker.LastAcknowledged).TotalSeconds : 0;
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(Patience.TotalSeconds * Stopwatch.Frequency);
        while (!condition() && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(10);
        }
    }

    /// <summary>Counts acknowledgements and failures, records publish latency, and bounds the messages in flight.</summary>
    private sealed class PublishTracker(int maxInFlight) : IPublishSink, IDisposable
    {
        private readonly SemaphoreSlim _room = new(maxInFlight, maxInFlight);
        private readonly LatencyHistogram _latency = new();
        private long _acknowledged;
        private long _acknowledgedInWindow;
        private long _failures;
        private long _lastAcknowledged;
        private string? _firstError;

        private long _windowStart = long.MaxValue;

        /// <summary>When the measured window began (a <see cref="Stopwatch"/> timestamp); long.MaxValue during the warm-up. Read by producers, acks and consumers alike.</summary>
        public long WindowStart
        {
            get => Volatile.Read(ref _windowStart);
            set => Volatile.Write(ref _windowStart, value);
        }

        public LatencyHistogram Latency => _latency;

        public long AcknowledgedCount => Interlocked.Read(ref _acknowledged);

        public long AcknowledgedInWindow => Interlocked.Read(ref _acknowledgedInWindow);

        public long Failures => Interlocked.Read(ref _failures);

        public string? FirstError => Volatile.Read(ref _firstError);

        public long LastAcknowledged => Interlocked.Read(ref _lastAcknowledged);

        public int Outstanding => maxInFlight - _room.CurrentCount;

        public void WaitForRoom() => _room.Wait();

        public void Dispose() => _room.Dispose();

        public void Acknowledged(long sentTimestamp)
        {
            Interlocked.Increment(ref _acknowledged);
            if (sentTimestamp >= WindowStart)
            {
                Interlocked.Increment(ref _acknowledgedInWindow);
                _latency.RecordSince(sentTimestamp);
                Interlocked.Exchange(ref _lastAcknowledged, Stopwatch.GetTimestamp());
            }

            _room.Release();
        }

        public void Failed(long sentTimestamp, string error)
        {
            Interlocked.Increment(ref _failures);
            Interlocked.CompareExchange(ref _firstError, error, null);
            _room.Release();
        }
    }
}
