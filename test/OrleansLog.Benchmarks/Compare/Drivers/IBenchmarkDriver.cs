namespace OrleansLog.Benchmarks.Compare.Drivers;

/// <summary>
/// One way of sending and reading messages through a running system (its servers started by
/// <see cref="IBenchmarkServers"/>): topics, producers and consumers, as OpenMessaging Benchmark's
/// driver interface has them.
/// </summary>
public interface IBenchmarkDriver
{
    /// <summary>The name in the report, for example "NATS JetStream".</summary>
    string Name { get; }

    /// <summary>What an acknowledgement promises, stated in the report (when the data reaches the disk, how many copies).</summary>
    string Durability(Workload workload);

    Task CreateTopicAsync(string topic, Workload workload);

    /// <summary>Deletes the topic and its data after its workload, so the next one starts on an empty disk and memory.</summary>
    Task DeleteTopicAsync(string topic, Workload workload);

    Task<IBenchmarkProducer> CreateProducerAsync(string topic, Workload workload);

    /// <summary>A consumer of <paramref name="subscription"/> (a consumer group: members share the partitions).</summary>
    Task<IBenchmarkConsumer> CreateConsumerAsync(string topic, string subscription, Workload workload);
}
