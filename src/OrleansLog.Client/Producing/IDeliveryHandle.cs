using OrleansLog.Partitions;

namespace OrleansLog.Client.Producing;

/// <summary>The outcome sink of one produced record: a task for <c>ProduceAsync</c>, a handler for <c>Produce</c>.</summary>
internal interface IDeliveryHandle
{
    void Complete(TopicPartition partition, long offset, long timestamp);

    void Fail(TopicPartition partition, long timestamp, ErrorCode error, string message);
}
