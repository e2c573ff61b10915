using OrleansLog.Connect.Config;
using OrleansLog.Connect.Data;

namespace OrleansLog.Connect.Transforms;

/// <summary>
/// A single message transform (Kafka Connect's Transformation): changes a record, or drops it by answering null. Made
/// per task from its settings (<c>transforms.{alias}.*</c>); not thread-safe.
/// </summary>
public interface ITransform
{
    ConnectRecord? Apply(ConnectRecord record);
}

/// <summary>A transform's settings and how to make one from them.</summary>
public sealed record TransformPlugin(string Class, ConfigDef Config, Func<ConnectConfig, ITransform> Create);
