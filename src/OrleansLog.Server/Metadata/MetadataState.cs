using OrleansLog.Metadata;

namespace OrleansLog.Server.Metadata;

/// <summary>
/// The coordinator's persisted main state: every broker's last silo and Kafka endpoint, and the coordinator's epoch. Topics are stored by bucket
/// (<see cref="TopicStore"/>); <see cref="Topics"/> holds them only in state written before that, until the
/// coordinator's next activation moves them.
/// </summary>
[GenerateSerializer]
public sealed class MetadataState
{
    [Id(0)]
    public Dictionary<string, TopicDescription> Topics { get; set; } = new(StringComparer.Ordinal);

    [Id(1)]
    public Dictionary<int, SiloAddress> Brokers { get; set; } = [];

    /// <summary>Each broker's advertised Kafka endpoint ("host:port"), for brokers that run the Kafka listener.</summary>
    [Id(2)]
    public Dictionary<int, string> KafkaEndpoints { get; set; } = [];

    /// <summary>The epoch of the coordinator's latest activation (<see cref="CoordinatorTenure"/>): each activation takes the next one.</summary>
    [Id(3)]
    public long CoordinatorEpoch { get; set; }
}
