namespace OrleansLog.Partitions;

/// <summary>The one place that turns a topic and partition number into a partition grain reference.</summary>
public static class PartitionGrainFactoryExtensions
{
    public static IPartitionGrain GetPartitionGrain(this IGrainFactory grains, string topic, int partition) =>
        grains.GetGrain<IPartitionGrain>(new TopicPartition(topic, partition).GrainKey);
}
