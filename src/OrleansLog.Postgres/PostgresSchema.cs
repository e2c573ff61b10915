using Npgsql;

namespace OrleansLog.Postgres;

/// <summary>
/// Creates and checks the cluster-mode schema in PostgreSQL: the tables and the query registry that
/// Orleans' AdoNet clustering and grain storage read their SQL from.
/// </summary>
public static class PostgresSchema
{
    /// <summary>The ADO.NET invariant name the Orleans AdoNet providers load Npgsql by.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>
    /// Every query key the installed providers ask for. Clustering fails to start without its nine, grain
    /// storage without its three; the others are optional for them but written by our scripts.
    /// </summary>
    public static IReadOnlyList<string> RequiredQueryKeys { get; } =
    [
        "InsertMembershipVersionKey", "InsertMembershipKey", "UpdateMembershipKey", "UpdateIAmAlivetimeKey",
        "MembershipReadRowKey", "MembershipReadAllKey", "GatewaysQueryKey", "DeleteMembershipTableEntriesKey",
        "CleanupDefunctSiloEntriesKey", "CleanupDefunctSiloEntryKey",
        "ReadFromStorageKey", "WriteToStorageKey", "ClearStorageKey", "DeleteStorageKey",
    ];

    // Any fixed number: concurrent migrations (two init jobs, a person and a job) take turns on it.
    private const long MigrationLock = 0x4f726c65616e734c;

    /// <summary>
    /// Applies every script in one transaction, serialized against other migrations by an advisory lock.
    /// The scripts are idempotent, so this is safe to run on every deploy; it returns what each did.
    /// </summary>
    public static async Task<IReadOnlyList<MigrationStep>> MigrateAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction))
        {
            lockCommand.Parameters.AddWithValue("key", MigrationLock);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        var applied = await ReadHistoryAsync(connection, transaction, cancellationToken);
        var steps = new List<MigrationStep>();
        foreach (var script in SchemaScript.All)
        {
            await using (var run = new NpgsqlCommand(script.Text, connection, transaction))
            {
                await run.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var record = new NpgsqlCommand(
                "INSERT INTO orleanslog_schema_history (script, sha256) VALUES (@script, @sha) " +
                "ON CONFLICT (script) DO UPDATE SET sha256 = EXCLUDED.sha256, applied_at = now() WHERE orleanslog_schema_history.sha256 <> EXCLUDED.sha256",
                connection, transaction))
            {
                record.Parameters.AddWithValue("script", script.Name);
                record.Parameters.AddWithValue("sha", script.Sha256);
                await record.ExecuteNonQueryAsync(cancellationToken);
            }

            var outcome = !applied.TryGetValue(script.Name, out var sha) ? MigrationOutcome.Applied
                : sha == script.Sha256 ? MigrationOutcome.Unchanged : MigrationOutcome.Updated;
            steps.Add(new MigrationStep(script.Name, outcome));
        }

        await transaction.CommitAsync(cancellationToken);
        return steps;
    }

    /// <summary>The query keys missing from the database (all of them when the schema was never applied).</summary>
    public static async Task<IReadOnlyList<string>> FindMissingQueryKeysAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT to_regclass('orleansquery') IS NOT NULL", connection);
        if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken))!)
        {
            return RequiredQueryKeys;
        }

        await using var command = new NpgsqlCommand("SELECT querykey FROM OrleansQuery", connection);
        var present = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            present.Add(reader.GetString(0));
        }

        return RequiredQueryKeys.Where(key => !present.Contains(key)).ToList();
    }

    private static async Task<Dictionary<string, string>> ReadHistoryAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var history = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var exists = new NpgsqlCommand("SELECT to_regclass('orleanslog_schema_history') IS NOT NULL", connection, transaction);
        if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken))!)
        {
            return history;
        }

        await using var command = new NpgsqlCommand("SELECT script, sha256 FROM orleanslog_schema_history", connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            history[reader.GetString(0)] = reader.GetString(1);
        }

        return history;
    }
}
