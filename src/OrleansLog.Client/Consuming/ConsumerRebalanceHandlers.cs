using OrleansLog.Partitions;

namespace OrleansLog.Client.Consuming;

/// <summary>The rebalance callbacks a consumer calls inside <c>Consume</c>.</summary>
internal sealed class ConsumerRebalanceHandlers<TKey, TValue>
{
    public Action<Consumer<TKey, TValue>, IReadOnlyList<TopicPartition>>? Assigned { get; set; }

    public Action<Consumer<TKey, TValue>, IReadOnlyList<TopicPartition>>? Revoked { get; set; }

    public Action<Consumer<TKey, TValue>, IReadOnlyList<TopicPartition>>? Lost { get; set; }
}
