using OrleansLog.Partitions;

namespace OrleansLog.Client.Producing;

/// <summary>Calls the delivery handler of one <c>Produce</c>, on the producer's sender (keep handlers short).</summary>
internal sealed class HandlerDeliveryHandle<TKey, TValue>(Message<TKey, TValue> message, Action<DeliveryReport<TKey, TValue>> handler) : IDeliveryHandle
{
    public void Complete(TopicPartition partition, long offset, long timestamp) =>
        handler(new DeliveryReport<TKey, TValue> { Topic = partition.Topic, Partition = partition.Partition, Offset = offset, Timestamp = timestamp, Message = message });

    public void Fail(TopicPartition partition, long timestamp, ErrorCode error, string errorMessage) =>
        handler(new DeliveryReport<TKey, TValue> { Topic = partition.Topic, Partition = partition.Partition, Offset = -1, Timestamp = timestamp, Message = message, Error = error, ErrorMessage = errorMessage });
}
