namespace OrleansLog.Partitions;

/// <summary>The one place that turns a topic and partition number into a partition grain reference.</summary>
/// <remarks>
/// Orleans 10 works out a grain interface's type names by reflection on every <c>GetGrain&lt;T&gt;(key)</c>, which
/// cost more than the rest of a Kafka fetch of many partitions (strings and attribute lookups per partition per fetch).
/// The partition grain's types are learned from the first reference made and reused; they are the same for every
/// grain factory in the process. Thread-safe: the learned types are published as one object.
/// </remarks>
public static class PartitionGrainFactoryExtensions
{
    private static PartitionGrainTypes? _types;

    public static IPartitionGrain GetPartitionGrain(this IGrainFactory grains, string topic, int partition)
    {
        var key = new TopicPartition(topic, partition).GrainKey;
        if (Volatile.Read(ref _types) is { } types)
        {
            return (IPartitionGrain)grains.GetGrain(GrainId.Create(types.Grain, key), types.Interface);
        }

        var grain = grains.GetGrain<IPartitionGrain>(key);
        if (grain is GrainReference reference)
        {
            Volatile.Write(ref _types, new PartitionGrainTypes(reference.GrainId.Type, reference.InterfaceType));
        }

        return grain;
    }

    private sealed record PartitionGrainTypes(GrainType Grain, GrainInterfaceType Interface);
}
