namespace OrleansLog.Client.Serialization;

/// <summary>The type of a key or value that is always null (as Confluent.Kafka's <c>Null</c>).</summary>
public sealed class Null
{
    private Null()
    {
    }
}
