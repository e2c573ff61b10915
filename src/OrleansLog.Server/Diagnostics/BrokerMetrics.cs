using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using OrleansLog.Partitions;
using OrleansLog.Server.Partitions;

namespace OrleansLog.Server.Diagnostics;

/// <summary>
/// The broker's metrics, on the meter <see cref="MeterName"/> (exported by OpenTelemetry wherever the
/// host adds it): produce and fetch requests, bytes and durations per topic, ISR shrinks and expands, the
/// partitions this broker leads that are under-replicated, the size of its logs, and security: failed authentications,
/// authorization denials, quota throttle times and dropped audit events. Thread-safe.
/// </summary>
public sealed class BrokerMetrics : IDisposable
{
    public const string MeterName = "OrleansLog";

    public const string LeaderTermsName = "orleanslog.leader.terms";

    private readonly Meter _meter;
    private readonly Counter<long> _produceRequests;
    private readonly Counter<long> _produceBytes;
    private readonly Histogram<double> _produceDuration;
    private readonly Counter<long> _fetchRequests;
    private readonly Counter<long> _fetchBytes;
    private readonly Histogram<double> _fetchDuration;
    private readonly Counter<long> _isrShrinks;
    private readonly Counter<long> _isrExpands;
    private readonly Counter<long> _leaderTerms;
    private readonly Counter<long> _authenticationFailures;
    private readonly Counter<long> _authorizationDenials;
    private readonly Histogram<double> _throttleTime;
    private readonly Counter<long> _auditDropped;
    private readonly ConcurrentDictionary<TopicPartition, bool> _ledUnderReplicated = new();

    public BrokerMetrics(IMeterFactory meters, LogManager logs)
    {
        _meter = meters.Create(MeterName);
        _produceRequests = _meter.CreateCounter<long>("orleanslog.produce.requests", description: "Produce calls answered by partition leaders on this broker, by topic and error.");
        _produceBytes = _meter.CreateCounter<long>("orleanslog.produce.bytes", "By", "Record batch bytes appended by leaders on this broker.");
        _produceDuration = _meter.CreateHistogram<double>("orleanslog.produce.duration", "ms", "Time from a produce's arrival at the leader to its answer (acks included).");
        _fetchRequests = _meter.CreateCounter<long>("orleanslog.fetch.requests", description: "Fetch calls answered by partition leaders on this broker, by topic and error.");
        _fetchBytes = _meter.CreateCounter<long>("orleanslog.fetch.bytes", "By", "Record batch bytes returned by fetches.");
        _fetchDuration = _meter.CreateHistogram<double>("orleanslog.fetch.duration", "ms", "Time from a fetch's arrival to its answer (long-polling included).");
        _isrShrinks = _meter.CreateCounter<long>("orleanslog.isr.shrinks", description: "ISR shrinks this broker's leaders asked for.");
        _isrExpands = _meter.CreateCounter<long>("orleanslog.isr.expands", description: "ISR expands this broker's leaders asked for.");
        _leaderTerms = _meter.CreateCounter<long>(LeaderTermsName, description: "Leadership terms started by partition leaders on this broker: elections won here, or a leader's reactivation.");
        _authenticationFailures = _meter.CreateCounter<long>("orleanslog.security.authentication_failures", description: "Failed authentications (SASL and TLS handshakes), by listener.");
        _authorizationDenials = _meter.CreateCounter<long>("orleanslog.security.authorization_denials", description: "Requests or parts of requests the ACLs refused, by resource type.");
        _throttleTime = _meter.CreateHistogram<double>("orleanslog.quota.throttle_time", "ms", "Throttle times given to clients over a quota, by quota key.");
        _auditDropped = _meter.CreateCounter<long>("orleanslog.audit.dropped", description: "Audit events not appended to the audit topic because its queue was full (they were still logged).");
        _meter.CreateObservableGauge("orleanslog.partitions.under_replicated", () => _ledUnderReplicated.Count(p => p.Value), description: "Partitions led here whose ISR is smaller than their replica set.");
        _meter.CreateObservableGauge("orleanslog.partitions.led", () => _ledUnderReplicated.Count, description: "Partitions led by this broker with an active leader (an idle partition's leader deactivates and is not counted).");

        // Open logs only: adding up the files of 100,000 closed logs would cost a look at every directory per scrape.
        _meter.CreateObservableGauge("orleanslog.log.size", () => logs.TotalSizeInBytes(), "By", "Bytes of the logs open on this broker (an idle partition's closed log is not counted).");
        _meter.CreateObservableGauge("orleanslog.logs.open", () => logs.OpenCount, description: "Partition logs open on this broker (replicas in use; idle ones are closed).");
        _meter.CreateObservableGauge("orleanslog.segment_files.open", () => logs.Files.OpenHandles, description: "Segment files this broker holds open, at most OrleansLog:MaxOpenSegmentFiles.");
    }

    public void Produced(string topic, ErrorCode error, long bytes, TimeSpan duration)
    {
        var tags = Tags(topic, error);
        _produceRequests.Add(1, tags);
        if (error == ErrorCode.None)
        {
            _produceBytes.Add(bytes, new KeyValuePair<string, object?>("topic", topic));
        }

        _produceDuration.Record(duration.TotalMilliseconds, new KeyValuePair<string, object?>("topic", topic));
    }

    public void Fetched(string topic, ErrorCode error, long bytes, TimeSpan duration)
    {
        _fetchRequests.Add(1, Tags(topic, error));
        _fetchBytes.Add(bytes, new KeyValuePair<string, object?>("topic", topic));
        _fetchDuration.Record(duration.TotalMilliseconds, new KeyValuePair<string, object?>("topic", topic));
    }

    public void IsrShrank(string topic) => _isrShrinks.Add(1, new KeyValuePair<string, object?>("topic", topic));

    /// <summary>A partition of <paramref name="topic"/> started a leadership term here (its replication loops and ISR timer).</summary>
    public void StartedTerm(string topic) => _leaderTerms.Add(1, new KeyValuePair<string, object?>("topic", topic));

    public void IsrExpanded(string topic) => _isrExpands.Add(1, new KeyValuePair<string, object?>("topic", topic));

    /// <summary>A leader here reports its ISR against its replicas (after every leadership change).</summary>
    public void Leads(TopicPartition partition, int isr, int replicas) => _ledUnderReplicated[partition] = isr < replicas;

    /// <summary>This broker no longer leads <paramref name="partition"/>.</summary>
    public void StoppedLeading(TopicPartition partition) => _ledUnderReplicated.TryRemove(partition, out _);

    public void AuthenticationFailed(string listener) => _authenticationFailures.Add(1, new KeyValuePair<string, object?>("listener", listener));

    public void AuthorizationDenied(OrleansLog.Security.AclResourceType type) => _authorizationDenials.Add(1, new KeyValuePair<string, object?>("resource_type", type.ToString()));

    public void Throttled(string quotaKey, long milliseconds) => _throttleTime.Record(milliseconds, new KeyValuePair<string, object?>("quota", quotaKey));

    public void AuditEventDropped() => _auditDropped.Add(1);

    public void Dispose() => _meter.Dispose();

    private static System.Diagnostics.TagList Tags(string topic, ErrorCode error) => new() { { "topic", topic }, { "error", error.KafkaName() } };
}
