namespace OrleansLog.Client.Consuming;

/// <summary>A partition cannot be consumed: no valid position under <c>auto.offset.reset=error</c>, a deleted topic, a corrupt batch.</summary>
public sealed class ConsumeException(ErrorCode code, string message, TopicPartitionOffset position) : OrleansLogException(code, message)
{
    public TopicPartitionOffset Position { get; } = position;
}
