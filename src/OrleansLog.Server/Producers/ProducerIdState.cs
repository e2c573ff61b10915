namespace OrleansLog.Server.Producers;

/// <summary>The persisted producer id counter: the first id no block has reserved yet.</summary>
[GenerateSerializer]
public sealed class ProducerIdState
{
    [Id(0)]
    public long NextProducerId { get; set; }
}
