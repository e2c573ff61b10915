using System.Collections.Immutable;
using System.Text;
using System.Text.Json.Nodes;
using OrleansLog.Client;
using OrleansLog.Client.Consuming;
using OrleansLog.Connect.Plugins;
using OrleansLog.Partitions;

namespace OrleansLog.Connect.Runtime;

/// <summary>
/// Source connectors' offsets in a compacted topic, as Kafka Connect keeps them: the key is
/// <c>["connector", {source partition}]</c> and the value the offset, both JSON, so the newest offset of each source
/// partition survives compaction. Source tasks write their offsets in the same transaction as their records, so what a
/// reader of the offsets finds committed is exactly what reached the topics. One partition, read from its start up to its
/// last stable offset when a task starts.
/// Thread-safe: holds only its settings.
/// </summary>
public sealed class SourceOffsetStore(OrleansLogClient client, string topic, short replicationFactor)
{
    private static readonly ImmutableDictionary<string, string> TopicConfigs = ImmutableDictionary<string, string>.Empty.Add("cleanup.policy", "compact");

    public string Topic => topic;

    public Task EnsureTopicAsync() => ConnectTopics.EnsureAsync(client, topic, 1, replicationFactor, TopicConfigs);

    /// <summary>The committed offsets of <paramref name="connector"/>'s source partitions.</summary>
    public async Task<ISourceOffsets> LoadAsync(string connector, CancellationToken cancellationToken)
    {
        var partition = new TopicPartition(topic, 0);
        var end = await client.Grains.GetPartitionGrain(topic, 0).ListOffset(ListOffsetsSpec.Latest, IsolationLevel.ReadCommitted).WaitAsync(cancellationToken);
        var offsets = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        if (end > 0)
        {
            await using var consumer = client.CreateConsumer<byte[]?, byte[]?>(new ConsumerConfig { EnableAutoCommit = false, ClientId = $"connect-offsets-{connector}" });
            consumer.Assign([new TopicPartitionOffset(partition, Offsets.Beginning)]);
            while (consumer.Position(partition) < end)
            {
                if (await consumer.ConsumeAsync(TimeSpan.FromSeconds(1), cancellationToken) is not { } result
                    || result.Message.Key is not { } key || ParseKey(key) is not ({ } name, { } sourcePartition) || name != connector)
                {
                    continue;
                }

                if (result.Message.Value is { } value && JsonNode.Parse(value) is JsonObject offset)
                {
                    offsets[sourcePartition.ToJsonString()] = offset;
                }
                else
                {
                    offsets.Remove(sourcePartition.ToJsonString());
                }
            }
        }

        return new LoadedOffsets(offsets);
    }

    /// <summary>The key under which <paramref name="connector"/>'s offset of <paramref name="partition"/> is written.</summary>
    public static byte[] Key(string connector, JsonObject partition) =>
        Encoding.UTF8.GetBytes(new JsonArray(connector, partition.DeepClone()).ToJsonString());

    public static byte[] Value(JsonObject offset) => Encoding.UTF8.GetBytes(offset.ToJsonString());

    private static (string? Connector, JsonObject? Partition) ParseKey(byte[] key)
    {
        try
        {
            return JsonNode.Parse(key) is JsonArray { Count: 2 } array && array[0] is JsonValue name && array[1] is JsonObject partition
                ? (name.GetValue<string>(), partition)
                : (null, null);
        }
        catch (System.Text.Json.JsonException)
        {
            // Somebody else's record in the topic: not an offset of ours.
            return (null, null);
        }
    }

    private sealed class LoadedOffsets(Dictionary<string, JsonObject> offsets) : ISourceOffsets
    {
        public JsonObject? OffsetOf(JsonObject partition) => offsets.GetValueOrDefault(partition.ToJsonString());
    }
}
