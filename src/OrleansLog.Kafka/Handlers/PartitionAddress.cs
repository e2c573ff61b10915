using OrleansLog.Metadata;

namespace OrleansLog.Kafka.Handlers;

/// <summary>Whether a topic and partition from a request can name a partition grain at all (a legal topic name, a partition number of 0 or more); others are UNKNOWN_TOPIC_OR_PARTITION without a grain call.</summary>
internal static class PartitionAddress
{
    public static bool IsValid(string topic, int partition)
    {
        if (partition < 0)
        {
            return false;
        }

        try
        {
            TopicName.Validate(topic);
            return true;
        }
        catch (OrleansLogException)
        {
            return false;
        }
    }

    public static string Unknown(string topic, int partition) => $"Partition {partition} of topic \"{topic}\" does not exist.";
}
