using System.Globalization;
using Npgsql;
using OrleansLog.Connect.Config;
using OrleansLog.Connect.Hosting;
using OrleansLog.Connect.Plugins;

namespace OrleansLog.Connect.Postgres;

/// <summary>The database a PostgreSQL connector connects to: Debezium's <c>database.*</c> settings, checked against the brokers' allowed hosts.</summary>
public static class PostgresSettings
{
    public const string Host = "database.hostname";
    public const string Port = "database.port";
    public const string User = "database.user";
    public const string Password = "database.password";
    public const string Database = "database.dbname";

    public static ConfigDef Define(ConfigDef definition) => definition
        .Require(Host, ConfigType.String, ConfigImportance.High, "Host of the PostgreSQL server.", ConfigRules.NonEmpty, "Database")
        .Define(Port, ConfigType.Int, "5432", ConfigImportance.High, "Port of the PostgreSQL server.", ConfigRules.Between(1, 65535), "Database")
        .Require(User, ConfigType.String, ConfigImportance.High, "User to connect as.", ConfigRules.NonEmpty, "Database")
        .Define(Password, ConfigType.Password, null, ConfigImportance.High, "Password of the user.", group: "Database")
        .Require(Database, ConfigType.String, ConfigImportance.High, "Database to connect to.", ConfigRules.NonEmpty, "Database");

    public static IEnumerable<(string Field, string Error)> CheckHost(ConnectConfig config, ConnectContext context) =>
        AllowedHosts.Check(config.RequireString(Host), config.GetInt(Port), context.Options.AllowedHosts) is { } error ? [(Host, error)] : [];

    public static string ConnectionString(ConnectConfig config, string applicationName) => new NpgsqlConnectionStringBuilder
    {
        Host = config.RequireString(Host),
        Port = config.GetInt(Port),
        Username = config.RequireString(User),
        Password = config.GetString(Password),
        Database = config.RequireString(Database),
        ApplicationName = applicationName,
        Timeout = 15,
        CommandTimeout = 60,
    }.ConnectionString;

    public static string Describe(ConnectConfig config) =>
        string.Create(CultureInfo.InvariantCulture, $"{config.RequireString(Host)}:{config.GetInt(Port)}/{config.RequireString(Database)}");
}
