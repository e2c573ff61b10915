using System.Globalization;
using System.Text;
using OrleansLog.Client;
using OrleansLog.Client.Consuming;
using OrleansLog.Client.Producing;
using OrleansLog.Connect.Config;
using OrleansLog.Connect.Plugins;

namespace OrleansLog.Connect.Runtime;

/// <summary>
/// A sink's dead-letter topic (<c>errors.deadletterqueue.topic.name</c>): records that could not be converted or
/// transformed are written there with their original key, value and headers, and with Kafka Connect's
/// <c>__connect.errors.*</c> headers when <c>errors.deadletterqueue.context.headers.enable</c> is set. Flushed before the
/// sink commits its offsets, so a record is never both skipped and lost. Used by one task loop; delivery reports (on the producer's threads) only set the first failure, atomically.
/// </summary>
public sealed class DeadLetters : IAsyncDisposable
{
    private const string HeaderPrefix = "__connect.errors.";

    private readonly Producer<byte[]?, byte[]?> _producer;
    private readonly string _topic;
    private readonly bool _contextHeaders;
    private readonly ConnectTaskId _task;
    private string? _failure;

    private DeadLetters(OrleansLogClient client, string topic, bool contextHeaders, ConnectTaskId task)
    {
        _topic = topic;
        _contextHeaders = contextHeaders;
        _task = task;
        _producer = client.CreateProducer<byte[]?, byte[]?>(new ProducerConfig { ClientId = $"connector-dlq-producer-{task}" });
    }

    /// <summary>The queue <paramref name="config"/> names, with its topic created if missing; null when none is set.</summary>
    public static async Task<DeadLetters?> ForAsync(ConnectConfig config, OrleansLogClient client, ConnectTaskId task)
    {
        if (config.GetString(ConnectorConfigs.DeadLetterTopic) is not { Length: > 0 } topic)
        {
            return null;
        }

        await ConnectTopics.EnsureAsync(client, topic, 1, (short)config.GetInt(ConnectorConfigs.DeadLetterReplication));
        return new DeadLetters(client, topic, config.GetBool(ConnectorConfigs.DeadLetterHeaders), task);
    }

    /// <summary>Writes <paramref name="failed"/>, which failed at <paramref name="stage"/> (a <see cref="ConnectStage"/>) with <paramref name="error"/>.</summary>
    public void Send(ConsumeResult<byte[]?, byte[]?> failed, Exception error, string stage)
    {
        var headers = new Headers();
        if (failed.Message.Headers is { } original)
        {
            headers.AddRange(original);
        }

        if (_contextHeaders)
        {
            void Add(string name, string value) => headers.Add(HeaderPrefix + name, Encoding.UTF8.GetBytes(value));
            Add("topic", failed.Topic);
            Add("partition", failed.Partition.ToString(CultureInfo.InvariantCulture));
            Add("offset", failed.Offset.ToString(CultureInfo.InvariantCulture));
            Add("connector.name", _task.Connector);
            Add("task.id", _task.Task.ToString(CultureInfo.InvariantCulture));
            Add("stage", stage);
            Add("exception.class.name", error.GetType().FullName ?? error.GetType().Name);
            Add("exception.message", error.Message);
            Add("exception.stacktrace", error.ToString());
        }

        _producer.Produce(_topic, new Message<byte[]?, byte[]?> { Key = failed.Message.Key, Value = failed.Message.Value, Timestamp = failed.Message.Timestamp, Headers = headers }, report =>
        {
            if (report.IsError)
            {
                Interlocked.CompareExchange(ref _failure, $"{report.Error.KafkaName()}: {report.ErrorMessage}", null);
            }
        });
    }

    /// <summary>Waits until every record sent is in the topic; throws when one could not be written.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _producer.FlushAsync(cancellationToken);
        if (_failure is { } failure)
        {
            throw new InvalidOperationException($"A record could not be written to the dead-letter topic {_topic}: {failure}");
        }
    }

    public ValueTask DisposeAsync() => _producer.DisposeAsync();
}
