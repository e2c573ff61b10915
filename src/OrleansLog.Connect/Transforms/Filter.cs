using OrleansLog.Connect.Config;
using OrleansLog.Connect.Data;

namespace OrleansLog.Connect.Transforms;

/// <summary>Kafka's Filter: drops every record its predicate selects (a Filter without a predicate drops all).</summary>
public sealed class Filter : ITransform
{
    public static ConfigDef Config { get; } = new();

    public ConnectRecord? Apply(ConnectRecord record) => null;
}
