namespace OrleansLog.Kafka.Hosting;

/// <summary>What every handler needs to know of the broker it runs in: the grains, its id, its cluster's id, its advertised endpoint, the listener settings and the broker's clock.</summary>
public sealed record KafkaListenerContext(
    IGrainFactory Grains,
    int BrokerId,
    string ClusterId,
    string AdvertisedHost,
    int Port,
    KafkaListenerOptions Options,
    TimeProvider Time);
