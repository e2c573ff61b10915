using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using OrleansLog.Client;
using OrleansLog.Client.Producing;
using OrleansLog.Connect.Config;
using OrleansLog.Connect.Converters;
using OrleansLog.Connect.Data;
using OrleansLog.Connect.Plugins;
using OrleansLog.Connect.Transforms;

namespace OrleansLog.Connect.Runtime;

/// <summary>
/// Runs a source task: polls it, transforms and converts its records, and writes each poll's records together with
/// the newest offset of each source partition in one transaction (Kafka Connect's exactly-once source support,
/// KIP-618), then tells the task. The transactional id is the task's own, so a stale copy of the task left on a
/// partitioned silo is fenced by the producer of the new one. Topics a record names are created when missing
/// (<c>topic.creation.default.*</c>). Runs on one loop: not thread-safe.
/// </summary>
public sealed class WorkerSourceTask(
    ConnectTaskId id,
    SourceConnectorPlugin plugin,
    ConnectConfig config,
    OrleansLogClient client,
    SourceOffsetStore offsets,
    ConnectContext context,
    PauseGate gate) : IConnectWorker
{
    /// <summary>How many distinct topics one task may write (a router could otherwise make a topic per record).</summary>
    public const int MaxTopicsPerTask = 1_000;

    private readonly HashSet<string> _knownTopics = [offsets.Topic];
    private readonly ILogger _logger = context.Logging.CreateLogger<WorkerSourceTask>();

    public long RecordsWritten { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var (keys, values, transforms, errors) = TaskPipeline.Create(config, client, context, _logger, id);
        var partitions = config.GetInt(ConnectorConfigs.TopicCreationPartitions);
        var replication = (short)config.GetInt(ConnectorConfigs.TopicCreationReplication);

        await offsets.EnsureTopicAsync();
        await using var producer = client.CreateProducer<byte[]?, byte[]?>(new ProducerConfig
        {
            ClientId = $"connector-producer-{id}",
            TransactionalId = $"connect-{id.Connector}-{id.Task}",
            Linger = TimeSpan.FromMilliseconds(5),
        });
        await producer.InitTransactionsAsync().WaitAsync(cancellationToken);
        var committed = await offsets.LoadAsync(id.Connector, cancellationToken);
        await using var task = plugin.CreateTask(context);
        await task.StartAsync(config, committed, cancellationToken);
        while (true)
        {
            await gate.WaitAsync(cancellationToken);
            var records = await task.PollAsync(cancellationToken);
            if (records.Count == 0)
            {
                continue;
            }

            producer.BeginTransaction();
            var newest = new Dictionary<string, (JsonObject Partition, JsonObject Offset)>(StringComparer.Ordinal);
            foreach (var record in records)
            {
                newest[record.SourcePartition.ToJsonString()] = (record.SourcePartition, record.SourceOffset);
                if (await ConvertAsync(record, transforms, keys, values, errors) is not { } converted)
                {
                    continue;
                }

                if (_knownTopics.Add(converted.Topic))
                {
                    if (_knownTopics.Count > MaxTopicsPerTask)
                    {
                        throw new ConfigException($"Task {id} would write more than {MaxTopicsPerTask} topics; a router's pattern makes too many.");
                    }

                    await ConnectTopics.EnsureAsync(client, converted.Topic, partitions, replication);
                }

                if (converted.Partition is { } partition)
                {
                    producer.Produce(new Partitions.TopicPartition(converted.Topic, partition), converted.Message);
                }
                else
                {
                    producer.Produce(converted.Topic, converted.Message);
                }
            }

            foreach (var (partition, offset) in newest.Values)
            {
                producer.Produce(offsets.Topic, new Message<byte[]?, byte[]?> { Key = SourceOffsetStore.Key(id.Connector, partition), Value = SourceOffsetStore.Value(offset) });
            }

            // Fails when any record of the transaction failed: then nothing of it is visible. Unless this copy of the task
            // was fenced by a newer one, the run starts over from the committed offsets (a new producer aborts this one).
            try
            {
                await producer.CommitTransactionAsync().WaitAsync(cancellationToken);
            }
            catch (OrleansLogException e) when (e.Code is not (ErrorCode.ProducerFenced or ErrorCode.TransactionalIdAuthorizationFailed or ErrorCode.InvalidProducerEpoch))
            {
                throw new RetriableConnectException($"Task {id}'s transaction did not commit; it starts over from its committed offsets: {e.Message}", e);
            }
            RecordsWritten += records.Count;
            await task.CommitAsync(records, cancellationToken);
        }
    }

    private static async ValueTask<(string Topic, int? Partition, Message<byte[]?, byte[]?> Message)?> ConvertAsync(
        SourceRecord record, TransformChain transforms, IConverter keys, IConverter values, ErrorHandling errors)
    {
        var stage = ConnectStage.Transformation;
        try
        {
            if (transforms.Apply(record) is not { } transformed)
            {
                return null;
            }

            stage = ConnectStage.KeyConverter;
            var key = await keys.FromConnectAsync(transformed.Topic, transformed.KeySchema, transformed.Key);
            stage = ConnectStage.ValueConverter;
            var value = await values.FromConnectAsync(transformed.Topic, transformed.ValueSchema, transformed.Value);
            return (transformed.Topic, transformed.Partition, new Message<byte[]?, byte[]?>
            {
                Key = key,
                Value = value,
                Timestamp = transformed.Timestamp,
                Headers = RecordHeaders.ToClient(transformed.Headers),
            });
        }
        catch (Exception e) when (e is DataException or ConfigException or InvalidCastException or FormatException)
        {
            return errors.Tolerates(e, stage) ? null : throw new DataException($"Task stopped: a record of {record.Topic} could not be converted or transformed ({stage}): {e.Message}", e);
        }
    }
}
