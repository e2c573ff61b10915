using OrleansLog.Records;

namespace OrleansLog.Replication;

/// <summary>Carries a storage <see cref="EpochEntry"/> across grain calls (the storage project knows nothing of Orleans).</summary>
[GenerateSerializer]
public struct EpochEntrySurrogate
{
    [Id(0)]
    public int Epoch { get; set; }

    [Id(1)]
    public long StartOffset { get; set; }
}

/// <summary>Converts <see cref="EpochEntry"/> to and from its surrogate.</summary>
[RegisterConverter]
public sealed class EpochEntryConverter : IConverter<EpochEntry, EpochEntrySurrogate>
{
    public EpochEntry ConvertFromSurrogate(in EpochEntrySurrogate surrogate) => new(surrogate.Epoch, surrogate.StartOffset);

    public EpochEntrySurrogate ConvertToSurrogate(in EpochEntry value) => new() { Epoch = value.Epoch, StartOffset = value.StartOffset };
}
