using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using OrleansLog.Client;
using OrleansLog.Client.Consuming;
using OrleansLog.Connect.Config;
using OrleansLog.Connect.Converters;
using OrleansLog.Connect.Data;
using OrleansLog.Connect.Plugins;
using OrleansLog.Connect.Transforms;

namespace OrleansLog.Connect.Runtime;

/// <summary>
/// Runs a sink task: consumes its topics in the connector's group (<c>connect-{name}</c>, Kafka Connect's), converts and
/// transforms each record, hands each batch to the task, asks it to flush, and only then commits the group's offsets, so
/// every record is written outside at least once (exactly once where the task upserts by key). A record that cannot be
/// converted or transformed fails the task, or with <c>errors.tolerance=all</c> is skipped and, when a dead-letter topic
/// is set, written there as it was read. Runs on one loop: not thread-safe.
/// </summary>
public sealed partial class WorkerSinkTask(
    ConnectTaskId id,
    SinkConnectorPlugin plugin,
    ConnectConfig config,
    OrleansLogClient client,
    ConnectContext context,
    PauseGate gate) : IConnectWorker
{
    /// <summary>At most this many records go to the task at once.</summary>
    public const int MaxBatch = 5_000;

    /// <summary>How often a <c>topics.regex</c> subscription looks for new topics.</summary>
    public static readonly TimeSpan TopicRefresh = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan ConsumeWait = TimeSpan.FromMilliseconds(500);

    private readonly ILogger _logger = context.Logging.CreateLogger<WorkerSinkTask>();

    public long RecordsPut { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var (keys, values, transforms, errors) = TaskPipeline.Create(config, client, context, _logger, id);
        await using var deadLetters = await DeadLetters.ForAsync(config, client, id);
        await using var task = plugin.CreateTask(context);
        await task.StartAsync(config, cancellationToken);
        await using var consumer = client.CreateConsumer<byte[]?, byte[]?>(new ConsumerConfig
        {
            GroupId = $"connect-{id.Connector}",
            ClientId = $"connector-consumer-{id}",
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,

            // A task whose silo died is gone: its partitions go to the others after this, not the consumer's 45 s.
            SessionTimeout = TimeSpan.FromSeconds(10),
            HeartbeatInterval = TimeSpan.FromSeconds(1),
        });
        var topics = new SinkTopics(config, client, context.Time);
        Subscribe(consumer, await topics.CurrentAsync());
        var batch = new List<SinkRecord>(MaxBatch);
        while (true)
        {
            await gate.WaitAsync(cancellationToken);
            if (await topics.ChangedAsync() is { } changed)
            {
                Subscribe(consumer, changed);
            }

            if (consumer.Subscription.Count == 0)
            {
                // topics.regex matches no topic yet.
                await Task.Delay(ConsumeWait, context.Time, cancellationToken);
                continue;
            }

            var consumed = 0;
            batch.Clear();
            for (var result = await consumer.ConsumeAsync(ConsumeWait, cancellationToken); result is not null; result = batch.Count + consumed >= MaxBatch ? null : await consumer.ConsumeAsync(TimeSpan.Zero, cancellationToken))
            {
                consumed++;
                if (await ConvertAsync(result, keys, values, transforms, errors, deadLetters) is { } record)
                {
                    batch.Add(record);
                }
            }

            if (consumed == 0)
            {
                continue;
            }

            if (batch.Count > 0)
            {
                await errors.RetryAsync(() => task.PutAsync(batch, cancellationToken), "put", cancellationToken);
                RecordsPut += batch.Count;
            }

            await errors.RetryAsync(() => task.FlushAsync(cancellationToken), "flush", cancellationToken);
            if (deadLetters is not null)
            {
                await deadLetters.FlushAsync(cancellationToken);
            }

            try
            {
                await consumer.CommitAsync();
            }
            catch (OrleansLogException e) when (e.Code is ErrorCode.UnknownMemberId or ErrorCode.IllegalGeneration or ErrorCode.RebalanceInProgress)
            {
                // As Kafka Connect does on a CommitFailedException: the group moved on (the task's session was lost, as when
                // the group's silo died), so these records go again to whichever task owns their partitions now (at least
                // once), and the next consume applies the new assignment. The task itself keeps running.
                LogCommitRefused(_logger, id, e.Message);
            }
        }
    }

    private static void Subscribe(Consumer<byte[]?, byte[]?> consumer, IReadOnlyList<string> topics)
    {
        if (topics.Count == 0)
        {
            consumer.Unsubscribe();
        }
        else
        {
            consumer.Subscribe(topics);
        }
    }

    private static async ValueTask<SinkRecord?> ConvertAsync(ConsumeResult<byte[]?, byte[]?> result, IConverter keys, IConverter values, TransformChain transforms, ErrorHandling errors, DeadLetters? deadLetters)
    {
        var stage = ConnectStage.KeyConverter;
        try
        {
            var (keySchema, key) = await keys.ToConnectAsync(result.Topic, result.Message.Key);
            stage = ConnectStage.ValueConverter;
            var (valueSchema, value) = await values.ToConnectAsync(result.Topic, result.Message.Value);
            stage = ConnectStage.Transformation;
            var record = new SinkRecord(result.Topic, result.Partition, result.Offset, keySchema, key, valueSchema, value, result.Message.Timestamp)
            {
                Headers = RecordHeaders.FromClient(result.Message.Headers),
            };
            return transforms.Apply(record) is { } transformed
                ? transformed as SinkRecord ?? new SinkRecord(transformed.Topic, result.Partition, result.Offset, transformed.KeySchema, transformed.Key, transformed.ValueSchema, transformed.Value, transformed.Timestamp) { Headers = transformed.Headers }
                : null;
        }
        catch (Exception e) when (e is DataException or ConfigException or InvalidCastException or FormatException or RegexMatchTimeoutException)
        {
            if (!errors.Tolerates(e, stage))
            {
                throw new DataException($"Task stopped: the record at {result.Topic}-{result.Partition}@{result.Offset} could not be converted or transformed ({stage}), and errors.tolerance is none: {e.Message}", e);
            }

            deadLetters?.Send(result, e, stage);
            return null;
        }
    }

    /// <summary>The topics a sink reads: its <c>topics</c> list, or those <c>topics.regex</c> matches now (looked up again every <see cref="TopicRefresh"/>).</summary>
    private sealed class SinkTopics(ConnectConfig config, OrleansLogClient client, TimeProvider time)
    {
        private readonly Regex? _regex = config.GetString(ConnectorConfigs.TopicsRegex) is { Length: > 0 } pattern
            ? new Regex($"^(?:{pattern})$", RegexOptions.CultureInvariant, ConnectLimits.RegexTimeout)
            : null;

        private IReadOnlyList<string> _current = [];
        private long _lookedAt;

        public async Task<IReadOnlyList<string>> CurrentAsync()
        {
            _lookedAt = time.GetTimestamp();
            _current = _regex is null
                ? config.GetList(ConnectorConfigs.Topics)
                : [.. (await client.Admin.ListTopicsAsync()).Select(t => t.Name).Where(name => _regex.IsMatch(name)).Order(StringComparer.Ordinal)];
            return _current;
        }

        public async Task<IReadOnlyList<string>?> ChangedAsync()
        {
            if (_regex is null || time.GetElapsedTime(_lookedAt) < TopicRefresh)
            {
                return null;
            }

            var before = _current;
            var now = await CurrentAsync();
            return now.SequenceEqual(before) ? null : now;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sink task {Task}: its commit was refused by a rebalance ({Reason}); the records since the last commit will be delivered again.")]
    private static partial void LogCommitRefused(ILogger logger, ConnectTaskId task, string reason);
}
