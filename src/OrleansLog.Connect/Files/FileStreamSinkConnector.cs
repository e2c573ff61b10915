using OrleansLog.Connect.Config;
using OrleansLog.Connect.Plugins;

namespace OrleansLog.Connect.Files;

/// <summary>Kafka's FileStreamSink: appends each record's value as a line to a file. One task (one file), so lines of a partition stay in order.</summary>
public sealed class FileStreamSinkConnector : SinkConnectorPlugin
{
    public const string File = "file";

    public override string ClassName => "org.apache.kafka.connect.file.FileStreamSinkConnector";

    public override ConfigDef Config { get; } = new ConfigDef()
        .Require(File, ConfigType.String, ConfigImportance.High, "Destination filename (absolute, under one of the brokers' file roots).", ConfigRules.NonEmpty);

    public override IEnumerable<(string Field, string Error)> CheckMore(ConnectConfig config, ConnectContext context) =>
        FileRoots.Check(config.RequireString(File), context.Options.FileRoots) is { } error ? [(File, error)] : [];

    public override IReadOnlyList<IReadOnlyDictionary<string, string>> TaskConfigs(ConnectConfig config, int maxTasks) =>
        [new Dictionary<string, string>()];

    public override SinkTask CreateTask(ConnectContext context) => new FileStreamSinkTask(context);
}
