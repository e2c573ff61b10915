using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLog.Server.Diagnostics;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Records;
using OrleansLog.Security;

namespace OrleansLog.Server.Security.Audit;

/// <summary>
/// The security audit trail: failed authentications, authorization denials and admin changes, each a structured log
/// event (category <c>OrleansLog.Audit</c>, fields Action, Principal, ClientAddress, Resource, Outcome, Detail) and,
/// with <see cref="AuditOptions.Topic"/>, a JSON record appended to that topic. The topic is fed from a bounded queue
/// by one loop: a burst of events (a client hammering with a wrong password) cannot make the broker hold more than
/// <see cref="AuditOptions.MaxQueuedEvents"/>; what does not fit is dropped from the topic, counted, and still logged.
/// <para>Concurrency: thread-safe; recording never waits.</para>
/// </summary>
public sealed partial class AuditLog : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly AuditOptions _options;
    private readonly IGrainFactory _grains;
    private readonly TimeProvider _time;
    private readonly BrokerMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Channel<AuditEvent>? _toTopic;
    private readonly CancellationTokenSource _stopping = new();

    public AuditLog(IOptions<AuditOptions> options, IGrainFactory grains, TimeProvider time, BrokerMetrics metrics, ILoggerFactory loggers)
    {
        _options = options.Value;
        _grains = grains;
        _time = time;
        _metrics = metrics;
        _logger = loggers.CreateLogger("OrleansLog.Audit");
        _toTopic = _options.Topic is null ? null : Channel.CreateBounded<AuditEvent>(new BoundedChannelOptions(_options.MaxQueuedEvents) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    }

    /// <summary>A client failed to authenticate (a wrong password, an unknown user, a refused certificate).</summary>
    public void AuthenticationFailed(string clientAddress, string listener, string who, string reason)
    {
        _metrics.AuthenticationFailed(listener);
        Record("Authenticate", who, clientAddress, $"Listener:{listener}", AuditEvent.Failed, reason);
    }

    /// <summary>An ACL check refused <paramref name="principal"/> <paramref name="operation"/> on a resource.</summary>
    public void Denied(string principal, string clientAddress, AclOperation operation, AclResourceType type, string name)
    {
        _metrics.AuthorizationDenied(type);
        Record(operation.ToString(), principal, clientAddress, $"{type}:{name}", AuditEvent.Denied, null);
    }

    /// <summary>Runs an admin change and records it, naming the caller from <see cref="AuditCaller"/>: succeeded, or failed with the reason (which is rethrown).</summary>
    public async Task<T> Change<T>(string action, string resource, Func<Task<T>> change)
    {
        var (principal, address) = AuditCaller.Current;
        try
        {
            var result = await change();
            Record(action, principal, address, resource, AuditEvent.Succeeded, null);
            return result;
        }
        catch (Exception e)
        {
            Record(action, principal, address, resource, AuditEvent.Failed, e.Message);
            throw;
        }
    }

    /// <inheritdoc cref="Change{T}(string, string, Func{Task{T}})"/>
    public Task Change(string action, string resource, Func<Task> change) =>
        Change(action, resource, async () =>
        {
            await change();
            return true;
        });

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(AuditLog), ServiceLifecycleStage.Active, Start, Stop);

    public void Dispose() => _stopping.Dispose();

    private void Record(string action, string principal, string clientAddress, string resource, string outcome, string? detail)
    {
        if (!_options.Enabled)
        {
            return;
        }

        LogAudit(action, principal, clientAddress, resource, outcome, detail ?? "");
        if (_toTopic is not null && !_toTopic.Writer.TryWrite(new AuditEvent(_time.GetUtcNow(), action, principal, clientAddress, resource, outcome, detail)))
        {
            _metrics.AuditEventDropped();
        }
    }

    private Task Start(CancellationToken cancellationToken)
    {
        if (_toTopic is not null)
        {
            _ = Task.Run(() => AppendToTopic(_options.Topic!, _toTopic.Reader, _stopping.Token), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    private Task Stop(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        return Task.CompletedTask;
    }

    /// <summary>Appends queued events to partition 0 of the topic, as many as are queued per batch; a failed append is retried once a second, its events kept.</summary>
    private async Task AppendToTopic(string topic, ChannelReader<AuditEvent> events, CancellationToken stopping)
    {
        using var builder = new RecordBatchBuilder();
        var pending = new List<AuditEvent>();
        var created = false;
        try
        {
            while (await events.WaitToReadAsync(stopping))
            {
                while (pending.Count < 1_000 && events.TryRead(out var next))
                {
                    pending.Add(next);
                }

                try
                {
                    if (!created)
                    {
                        created = await EnsureTopic(topic);
                    }

                    builder.Reset();
                    foreach (var audit in pending)
                    {
                        builder.Add(audit.Time.ToUnixTimeMilliseconds(), System.Text.Encoding.UTF8.GetBytes(audit.Principal), JsonSerializer.SerializeToUtf8Bytes(audit, AuditJson.Default.AuditEvent));
                    }

                    var response = await _grains.GetPartitionGrain(topic, 0).Produce(new ProduceRequest(builder.Build().ToArray()));
                    if (response.Error != ErrorCode.None)
                    {
                        throw new OrleansLogException(response.Error, response.ErrorMessage ?? response.Error.ToString());
                    }

                    pending.Clear();
                }
                catch (Exception e) when (!stopping.IsCancellationRequested)
                {
                    LogAppendFailed(topic, pending.Count, e.Message);
                    await Task.Delay(TimeSpan.FromSeconds(1), _time, stopping);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The broker is stopping; events not yet appended stay in the log only.
        }
    }

    private async Task<bool> EnsureTopic(string topic)
    {
        var metadata = _grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey);
        if (await metadata.TryGetTopic(topic) is null)
        {
            try
            {
                await metadata.CreateTopic(topic, 1, 1, System.Collections.Immutable.ImmutableDictionary<string, string>.Empty);
            }
            catch (OrleansLogException e) when (e.Code == ErrorCode.TopicAlreadyExists)
            {
                // Another broker made it first.
            }
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Audit: {Action} by {Principal} from {ClientAddress} on {Resource}: {Outcome}. {Detail}")]
    private partial void LogAudit(string action, string principal, string clientAddress, string resource, string outcome, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not append {Count} audit event(s) to topic {Topic} ({Message}); trying again.")]
    private partial void LogAppendFailed(string topic, int count, string message);
}

/// <summary>The audit event's JSON shape, generated at build time.</summary>
[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(AuditEvent))]
internal sealed partial class AuditJson : System.Text.Json.Serialization.JsonSerializerContext;
