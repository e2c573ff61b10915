using OrleansLog.Partitions;

namespace OrleansLog.Client.Producing;

/// <summary>Completes the task of one <c>ProduceAsync</c>; continuations run on the thread pool, never on the sender.</summary>
internal sealed class TaskDeliveryHandle<TKey, TValue>(Message<TKey, TValue> message)
    : TaskCompletionSource<DeliveryResult<TKey, TValue>>(TaskCreationOptions.RunContinuationsAsynchronously), IDeliveryHandle
{
    public void Complete(TopicPartition partition, long offset, long timestamp) =>
        TrySetResult(new DeliveryResult<TKey, TValue> { Topic = partition.Topic, Partition = partition.Partition, Offset = offset, Timestamp = timestamp, Message = message });

    public void Fail(TopicPartition partition, long timestamp, ErrorCode error, string errorMessage) =>
        TrySetException(new ProduceException<TKey, TValue>(error, errorMessage, new DeliveryResult<TKey, TValue> { Topic = partition.Topic, Partition = partition.Partition, Offset = -1, Timestamp = timestamp, Message = message }));
}
