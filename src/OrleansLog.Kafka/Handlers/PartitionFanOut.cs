using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Protocol;

namespace OrleansLog.Kafka.Handlers;

/// <summary>
/// The shape many requests share: topics, each with partitions, each asked of its leader. Asks every
/// partition at once and writes the usual answer, an array of topics each with its name and an array of
/// per-partition entries, in request order.
/// </summary>
internal static class PartitionFanOut
{
    public static async Task<T[][]> AskAll<TPartition, T>(List<(string Name, List<TPartition> Partitions)> topics, Func<string, TPartition, Task<T>> ask)
    {
        var calls = topics.Select(t => t.Partitions.Select(p => ask(t.Name, p)).ToArray()).ToArray();
        await Task.WhenAll(calls.SelectMany(c => c));
        return [.. calls.Select(c => c.Select(t => t.Result).ToArray())];
    }

    public static void WriteTopics<TPartition, T>(KafkaWriter response, List<(string Name, List<TPartition> Partitions)> topics, T[][] answers, Action<TPartition, T> writePartition)
    {
        response.WriteArrayLength(topics.Count, flexible: false);
        for (var t = 0; t < topics.Count; t++)
        {
            response.WriteString(topics[t].Name, flexible: false);
            response.WriteArrayLength(topics[t].Partitions.Count, flexible: false);
            for (var p = 0; p < topics[t].Partitions.Count; p++)
            {
                writePartition(topics[t].Partitions[p], answers[t][p]);
            }
        }
    }

    /// <summary>The answer of the commit-like requests: per topic, each partition with its error code.</summary>
    public static void WritePartitionErrors(KafkaWriter response, List<(string Name, List<int> Partitions)> topics, Func<string, int, ErrorCode> errorOf)
    {
        response.WriteArrayLength(topics.Count, flexible: false);
        foreach (var (name, partitions) in topics)
        {
            response.WriteString(name, flexible: false);
            response.WriteArrayLength(partitions.Count, flexible: false);
            foreach (var partition in partitions)
            {
                response.WriteInt32(partition);
                response.WriteInt16(errorOf(name, partition));
            }
        }
    }
}
