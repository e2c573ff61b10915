using OrleansLog.Connect.Config;
using OrleansLog.Connect.Plugins;

namespace OrleansLog.Connect.Postgres;

/// <summary>
/// Change data capture from PostgreSQL through logical replication (pgoutput): a consistent snapshot of the listed
/// tables, then every insert, update and delete as it commits. Each row becomes a record of
/// <c>{topic.prefix}.{schema}.{table}</c> keyed by its primary key (a struct of the key columns), its value the row
/// after the change (a struct of every column, with a schema), or null for a delete (a tombstone, so a compacted topic
/// keeps the table's current state). The header <c>op</c> says r (snapshot), c, u or d. The source offset is the commit
/// LSN of the last transaction written: records and offset go to the log in one transaction, and the slot is told to
/// move on only after that, so a restart neither skips nor repeats a change. One task (one slot).
/// </summary>
public sealed class PostgresSourceConnector : SourceConnectorPlugin
{
    public const string Tables = "table.include.list";
    public const string TopicPrefix = "topic.prefix";
    public const string SlotName = "slot.name";
    public const string PublicationName = "publication.name";
    public const string SnapshotMode = "snapshot.mode";
    public const string BatchSize = "max.batch.size";

    public override string ClassName => "OrleansLog.Connect.Postgres.PostgresSourceConnector";

    public override ConfigDef Config { get; } = PostgresSettings.Define(new ConfigDef())
        .Require(Tables, ConfigType.List, ConfigImportance.High, "The tables to capture, as schema.table (public when no schema is given).", value => value is IEnumerable<string> list && !list.Any() ? "at least one table is needed" : null)
        .Require(TopicPrefix, ConfigType.String, ConfigImportance.High, "Topics are named {topic.prefix}.{schema}.{table}.", ConfigRules.NonEmpty)
        .Define(SlotName, ConfigType.String, "", ConfigImportance.Medium, "The replication slot (default orleanslog_{topic.prefix}).")
        .Define(PublicationName, ConfigType.String, "", ConfigImportance.Medium, "The publication, created for the tables when missing (default orleanslog_{topic.prefix}).")
        .Define(new ConfigKey(SnapshotMode, ConfigType.String, ConfigImportance.Medium, "initial: copy the tables first, then stream changes; never: stream changes only.")
        { Default = "initial", Rule = ConfigRules.OneOf("initial", "never"), Recommended = ["initial", "never"] })
        .Define(BatchSize, ConfigType.Int, "2048", ConfigImportance.Low, "The most rows a poll returns (a transaction is never split).", ConfigRules.Between(1, 100_000));

    public override IEnumerable<(string Field, string Error)> CheckMore(ConnectConfig config, ConnectContext context) => PostgresSettings.CheckHost(config, context);

    public override IReadOnlyList<IReadOnlyDictionary<string, string>> TaskConfigs(ConnectConfig config, int maxTasks) => [new Dictionary<string, string>()];

    public override SourceTask CreateTask(ConnectContext context) => new PostgresSourceTask(context);

    /// <summary>A slot or publication name from the prefix: lower case letters, digits and underscores, as slots require.</summary>
    public static string DefaultName(string prefix) =>
        "orleanslog_" + new string([.. prefix.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);
}
