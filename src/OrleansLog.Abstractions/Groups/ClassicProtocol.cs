namespace OrleansLog.Groups;

/// <summary>One assignment protocol a Kafka consumer offers in JoinGroup (e.g. "range"), with its subscription metadata as the client encoded it.</summary>
[GenerateSerializer, Immutable]
public sealed record ClassicProtocol([property: Id(0)] string Name, [property: Id(1)] ReadOnlyMemory<byte> Metadata);
