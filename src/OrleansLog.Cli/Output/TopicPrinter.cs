using System.Globalization;
using OrleansLog.Topics;

namespace OrleansLog.Cli.Output;

/// <summary>Renders <c>topics describe</c>.</summary>
internal static class TopicPrinter
{
    public static void Print(TopicDetails details, TextWriter output)
    {
        var topic = details.Topic;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Topic: {topic.Name}\tTopicId: {topic.TopicId}\tPartitions: {topic.PartitionCount}\tReplicationFactor: {topic.ReplicationFactor}\tCreated: {topic.CreatedAt:u}\tCleanupPolicy: {topic.Config.CleanupPolicy}"));
        output.WriteLine("Configs:");
        foreach (var (key, value) in topic.Config.ToDictionary())
        {
            var marker = topic.ConfigOverrides.ContainsKey(key) ? " (set)" : string.Empty;
            output.WriteLine($"  {key}={value}{marker}");
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"Partition",-10}{"Leader",-8}{"Epoch",-7}{"Replicas",-12}{"Isr",-12}{"StartOffset",12}{"EndOffset",12}{"HighWatermark",15}{"Size",12}{"Segments",10}{(topic.Config.Compacts ? $"{"DirtyRatio",12}" : "")}"));
        foreach (var p in details.Partitions)
        {
            var leadership = topic.Partitions[p.Partition];
            var leader = leadership.IsOnline ? leadership.Leader.ToString(CultureInfo.InvariantCulture) : "none";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{p.Partition,-10}{leader,-8}{leadership.LeaderEpoch,-7}{string.Join(",", leadership.Replicas),-12}{string.Join(",", leadership.Isr),-12}{p.LogStartOffset,12}{p.LogEndOffset,12}{p.HighWatermark,15}{Bytes(p.SizeInBytes),12}{p.SegmentCount,10}{(p.Compacted ? $"{p.DirtyRatio,12:0.00}" : "")}"));
        }
    }

    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.0} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.00} GiB"),
    };
}
