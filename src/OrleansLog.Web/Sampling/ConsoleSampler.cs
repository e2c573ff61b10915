using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLog.Client;
using OrleansLog.Partitions;

namespace OrleansLog.Web.Sampling;

/// <summary>
/// Samples what the console charts over time: every topic's total high watermark (for its produce rate; in a
/// broker, as that broker knows it, without asking partitions) and every group's total lag, every <see cref="ConsoleOptions.SampleInterval"/>, keeping the last
/// <see cref="ConsoleOptions.SamplesKept"/> of each. In memory: a restarted front end starts its charts afresh.
/// A cluster that does not answer yet (the broker still starting) is simply sampled again later.
/// </summary>
public sealed partial class ConsoleSampler : BackgroundService
{
    /// <summary>The front end's meter: each group's total lag, as last sampled.</summary>
    public const string MeterName = "OrleansLog.Web";

    private readonly ConcurrentDictionary<string, SampleSeries> _topics = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SampleSeries> _lags = new(StringComparer.Ordinal);
    private readonly OrleansLogClient _client;
    private readonly IOptions<ConsoleOptions> _options;
    private readonly ILogger<ConsoleSampler> _logger;
    private readonly TimeProvider _time;
    private readonly Meter _meter;
    private readonly ILocalHighWatermarks? _local;

    // In a broker's process, `local` is what the broker knows of high watermarks: sampled instead of describing each
    // topic, which would ask every partition and keep idle ones from deactivating. A front end on its own describes.
    public ConsoleSampler(OrleansLogClient client, IOptions<ConsoleOptions> options, IMeterFactory meters, TimeProvider time, ILogger<ConsoleSampler> logger, ILocalHighWatermarks? local = null)
    {
        _local = local;
        _client = client;
        _time = time;
        _options = options;
        _logger = logger;
        _meter = meters.Create(MeterName);
        _meter.CreateObservableGauge("orleanslog.consumer.lag", LatestLags, description: "Each consumer group's total lag (records), as the front end last sampled it.");
    }

    public override void Dispose()
    {
        _meter.Dispose();
        base.Dispose();
    }

    private IEnumerable<Measurement<long>> LatestLags()
    {
        foreach (var (group, series) in _lags)
        {
            if (series.Snapshot() is [.., var last])
            {
                yield return new Measurement<long>(last.Value, new KeyValuePair<string, object?>("group", group));
            }
        }
    }

    public IReadOnlyList<Sample> TopicOffsets(string topic) => _topics.TryGetValue(topic, out var series) ? series.Snapshot() : [];

    public IReadOnlyList<Sample> GroupLag(string group) => _lags.TryGetValue(group, out var series) ? series.Snapshot() : [];

    /// <summary>Records per second over the samples kept, or null with fewer than two.</summary>
    public double? TopicRate(string topic)
    {
        var samples = TopicOffsets(topic);
        if (samples.Count < 2)
        {
            return null;
        }

        var seconds = (samples[^1].At - samples[0].At).TotalSeconds;
        return seconds > 0 ? (samples[^1].Value - samples[0].Value) / seconds : null;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.Value.SampleInterval, _time);
        do
        {
            try
            {
                await SampleOnce();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSampleFailed(e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task SampleOnce()
    {
        var now = _time.GetUtcNow();
        var known = _local?.SumsByTopic();
        foreach (var topic in (await _client.Admin.ListTopicsAsync()).Take(_options.Value.MaxSampled))
        {
            if (known is null)
            {
                var details = await _client.Admin.DescribeTopicAsync(topic.Name);
                Series(_topics, topic.Name).Add(new Sample(now, details.Partitions.Sum(p => Math.Max(0, p.HighWatermark))));
            }
            else if (known.TryGetValue(topic.Name, out var sum))
            {
                Series(_topics, topic.Name).Add(new Sample(now, sum));
            }
        }

        foreach (var group in (await _client.Admin.ListGroupsAsync()).Take(_options.Value.MaxSampled))
        {
            try
            {
                var details = await _client.Admin.DescribeGroupAsync(group);
                Series(_lags, group).Add(new Sample(now, details.Partitions.Sum(p => p.Lag ?? 0)));
            }
            catch (OrleansLogException e) when (e.Code == ErrorCode.GroupIdNotFound)
            {
                _lags.TryRemove(group, out _);
            }
        }
    }

    private SampleSeries Series(ConcurrentDictionary<string, SampleSeries> all, string name) =>
        all.GetOrAdd(name, _ => new SampleSeries(_options.Value.SamplesKept));

    [LoggerMessage(Level = LogLevel.Debug, Message = "Console sample skipped: {Reason}")]
    private partial void LogSampleFailed(string reason);
}
