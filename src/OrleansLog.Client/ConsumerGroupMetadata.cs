namespace OrleansLog.Client;

/// <summary>The consumer group a transactional producer commits offsets to (Confluent.Kafka's <c>IConsumerGroupMetadata</c>): from <c>Consumer.ConsumerGroupMetadata</c>.</summary>
public sealed record ConsumerGroupMetadata(string GroupId);
