using System.Globalization;

namespace OrleansLog.Partitions;

/// <summary>
/// A topic name and partition number: the identity of a partition grain (key "topic/partition") and of
/// its log directory ("topic-partition"). Ordered by topic (ordinal), then partition number.
/// </summary>
[GenerateSerializer, Immutable]
public readonly record struct TopicPartition([property: Id(0)] string Topic, [property: Id(1)] int Partition) : IComparable<TopicPartition>
{
    public static bool operator <(TopicPartition left, TopicPartition right) => left.CompareTo(right) < 0;

    public static bool operator <=(TopicPartition left, TopicPartition right) => left.CompareTo(right) <= 0;

    public static bool operator >(TopicPartition left, TopicPartition right) => left.CompareTo(right) > 0;

    public static bool operator >=(TopicPartition left, TopicPartition right) => left.CompareTo(right) >= 0;

    public string GrainKey => string.Create(CultureInfo.InvariantCulture, $"{Topic}/{Partition}");

    public string DirectoryName => string.Create(CultureInfo.InvariantCulture, $"{Topic}-{Partition}");

    public static TopicPartition ParseGrainKey(string key)
    {
        var slash = key.LastIndexOf('/');
        return new TopicPartition(key[..slash], int.Parse(key.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture));
    }

    /// <summary>Parses a log directory name; false for names that are not "topic-partition".</summary>
    public static bool TryParseDirectoryName(string name, out TopicPartition topicPartition)
    {
        var dash = name.LastIndexOf('-');
        if (dash > 0 && int.TryParse(name.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var partition))
        {
            topicPartition = new TopicPartition(name[..dash], partition);
            return true;
        }

        topicPartition = default;
        return false;
    }

    public int CompareTo(TopicPartition other)
    {
        var byTopic = string.CompareOrdinal(Topic, other.Topic);
        return byTopic != 0 ? byTopic : Partition.CompareTo(other.Partition);
    }

    public override string ToString() => DirectoryName;
}
