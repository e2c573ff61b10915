using OrleansLog.Connect.Config;
using OrleansLog.Connect.Plugins;

namespace OrleansLog.Connect.Postgres;

/// <summary>
/// Writes records into PostgreSQL tables (one per topic, <c>table.name.format</c>): each flush is one database
/// transaction that upserts the newest value of every key (COPY into a staging table, then INSERT … ON CONFLICT) and
/// deletes the keys whose newest record is a tombstone. The key is the primary key: a struct's fields are its columns,
/// a plain key goes to the one column <c>pk.fields</c> names. Replaying a topic twice leaves the same table, so after
/// a crash the at-least-once delivery of the sink's group is effectively exactly once. With <c>auto.create</c>, a
/// missing table is created from the first record's schema.
/// </summary>
public sealed class PostgresSinkConnector : SinkConnectorPlugin
{
    public const string TableFormat = "table.name.format";
    public const string InsertMode = "insert.mode";
    public const string DeleteEnabled = "delete.enabled";
    public const string AutoCreate = "auto.create";
    public const string KeyFields = "pk.fields";

    public override string ClassName => "OrleansLog.Connect.Postgres.PostgresSinkConnector";

    public override ConfigDef Config { get; } = PostgresSettings.Define(new ConfigDef())
        .Define(TableFormat, ConfigType.String, "${topic}", ConfigImportance.Medium, "The table of a topic's records: ${topic} is the topic (schema.table, or a table in public).", ConfigRules.NonEmpty)
        .Define(new ConfigKey(InsertMode, ConfigType.String, ConfigImportance.High, "upsert: insert or update by key; insert: plain inserts (a key seen twice fails).")
        { Default = "upsert", Rule = ConfigRules.OneOf("upsert", "insert"), Recommended = ["upsert", "insert"] })
        .Define(DeleteEnabled, ConfigType.Boolean, "true", ConfigImportance.Medium, "Whether a tombstone deletes its key's row.")
        .Define(AutoCreate, ConfigType.Boolean, "false", ConfigImportance.Medium, "Whether a missing table is created from the records' schema.")
        .Define(KeyFields, ConfigType.List, "", ConfigImportance.Medium, "For keys that are not structs: the one key column.");

    public override IEnumerable<(string Field, string Error)> CheckMore(ConnectConfig config, ConnectContext context) => PostgresSettings.CheckHost(config, context);

    public override IReadOnlyList<IReadOnlyDictionary<string, string>> TaskConfigs(ConnectConfig config, int maxTasks) =>
        [.. Enumerable.Range(0, maxTasks).Select(_ => new Dictionary<string, string>())];

    public override SinkTask CreateTask(ConnectContext context) => new PostgresSinkTask(context);
}
