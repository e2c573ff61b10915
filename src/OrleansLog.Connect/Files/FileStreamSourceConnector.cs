using OrleansLog.Connect.Config;
using OrleansLog.Connect.Plugins;

namespace OrleansLog.Connect.Files;

/// <summary>
/// Kafka's FileStreamSource: each line of a file becomes a record of <c>topic</c> (the line without its end, as a
/// string value, no key). One task; the byte position after the last line written is the source offset, so a restart
/// goes on from there. A line is read only once it ends with a newline.
/// </summary>
public sealed class FileStreamSourceConnector : SourceConnectorPlugin
{
    public const string File = "file";
    public const string Topic = "topic";
    public const string BatchSize = "batch.size";

    public override string ClassName => "org.apache.kafka.connect.file.FileStreamSourceConnector";

    public override ConfigDef Config { get; } = new ConfigDef()
        .Require(File, ConfigType.String, ConfigImportance.High, "Source filename (absolute, under one of the brokers' file roots).", ConfigRules.NonEmpty)
        .Require(Topic, ConfigType.String, ConfigImportance.High, "The topic to publish data to.", ConfigRules.NonEmpty)
        .Define(BatchSize, ConfigType.Int, "2000", ConfigImportance.Low, "The maximum number of records the source task can read from the file each time it is polled.", ConfigRules.Between(1, 100_000));

    public override IEnumerable<(string Field, string Error)> CheckMore(ConnectConfig config, ConnectContext context) =>
        FileRoots.Check(config.RequireString(File), context.Options.FileRoots) is { } error ? [(File, error)] : [];

    public override IReadOnlyList<IReadOnlyDictionary<string, string>> TaskConfigs(ConnectConfig config, int maxTasks) =>
        [new Dictionary<string, string>()];

    public override SourceTask CreateTask(ConnectContext context) => new FileStreamSourceTask(context);
}
