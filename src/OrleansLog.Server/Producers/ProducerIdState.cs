namespace OrleansLog.Server.Producers;

/// <summary>The persisted producer id counter.</summary>
[GenerateSerializer]
public sealed class ProducerIdState
{
    [Id(0)]
    public long NextProducerId { get; set; }
}
