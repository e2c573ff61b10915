using System.Globalization;
using OrleansLog.Topics;

namespace OrleansLog.Cli.Output;

/// <summary>Renders <c>topics describe</c>.</summary>
internal static class TopicPrinter
{
    public static void Print(TopicDetails details, TextWriter output)
    {
        var topic = details.Topic;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Topic: {topic.Name}\tTopicId: {topic.TopicId}\tPartitions: {topic.PartitionCount}\tCreated: {topic.CreatedAt:u}"));
        output.WriteLine("Configs:");
        foreach (var (key, value) in topic.Config.ToDictionary())
        {
            var marker = topic.ConfigOverrides.ContainsKey(key) ? " (set)" : string.Empty;
            output.WriteLine($"  {key}={value}{marker}");
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"Partition",-10}{"StartOffset",14}{"EndOffset",14}{"HighWatermark",15}{"Size",12}{"Segments",10}"));
        foreach (var p in details.Partitions)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{p.Partition,-10}{p.LogStartOffset,14}{p.LogEndOffset,14}{p.HighWatermark,15}{Bytes(p.SizeInBytes),12}{p.SegmentCount,10}"));
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
