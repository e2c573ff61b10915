using System.Globalization;
using System.Text.Json.Nodes;
using Npgsql;
using OrleansLog.Connect.Data;

namespace OrleansLog.Connect.Postgres;

/// <summary>
/// Reads the captured tables as they were when the slot was created (the slot's exported snapshot, in one repeatable
/// read transaction), a table at a time and a batch at a time, as rows with op "r". Every row's offset says the
/// snapshot is still running; the slot's consistent point becomes the offset once streaming commits its first
/// transaction. Used by one poll loop: not thread-safe.
/// </summary>
internal sealed class Snapshot : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly Queue<PgTable> _pending;
    private NpgsqlCommand? _command;
    private NpgsqlDataReader? _reader;
    private PgTable? _current;

    private Snapshot(NpgsqlConnection connection, NpgsqlTransaction transaction, IEnumerable<PgTable> tables)
    {
        _connection = connection;
        _transaction = transaction;
        _pending = new Queue<PgTable>(tables);
    }

    public bool Done => _current is null && _pending.Count == 0;

    public static async Task<Snapshot> OpenAsync(string connectionString, string snapshotName, IReadOnlyList<(string Schema, string Name)> tables, ulong consistentPoint, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        await using (var set = new NpgsqlCommand($"SET TRANSACTION SNAPSHOT '{snapshotName.Replace("'", "''", StringComparison.Ordinal)}'", connection, transaction))
        {
            await set.ExecuteNonQueryAsync(cancellationToken);
        }

        var described = new List<PgTable>();
        foreach (var (schema, name) in tables)
        {
            described.Add(await DescribeAsync(connection, transaction, schema, name, cancellationToken));
        }

        return new Snapshot(connection, transaction, described);
    }

    public async Task<List<SourceRecord>> ReadAsync(int batchSize, string prefix, JsonObject partition, CancellationToken cancellationToken)
    {
        var records = new List<SourceRecord>();
        var offset = new JsonObject { ["snapshot"] = "running" };
        while (records.Count < batchSize && !Done)
        {
            if (_reader is null)
            {
                _current = _pending.Dequeue();
                var columns = string.Join(", ", _current.Columns.Select(c => PgValues.Quote(c.Name) + "::text"));
                _command = new NpgsqlCommand($"SELECT {columns} FROM {PgValues.Quote(_current.Schema)}.{PgValues.Quote(_current.Name)}", _connection, _transaction);
                _reader = await _command.ExecuteReaderAsync(cancellationToken);
            }

            if (!await _reader.ReadAsync(cancellationToken))
            {
                await _reader.DisposeAsync();
                await _command!.DisposeAsync();
                _reader = null;
                _current = null;
                continue;
            }

            var row = new ConnectStruct();
            for (var i = 0; i < _current!.Columns.Length; i++)
            {
                var (name, type, _) = _current.Columns[i];
                row[name] = PgValues.FromText(type, _reader.IsDBNull(i) ? null : _reader.GetString(i));
            }

            records.Add(new SourceRecord(partition, offset, _current.Topic(prefix), _current.KeySchema, _current.KeyOf(row), _current.ValueSchema, row, null)
            {
                Headers = [KeyValuePair.Create<string, byte[]?>("op", "r"u8.ToArray())],
            });
        }

        return records;
    }

    public async ValueTask DisposeAsync()
    {
        if (_reader is not null)
        {
            await _reader.DisposeAsync();
        }

        if (_command is not null)
        {
            await _command.DisposeAsync();
        }

        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }

    private static async Task<PgTable> DescribeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string schema, string name, CancellationToken cancellationToken)
    {
        const string Sql = """
            SELECT a.attname, a.atttypid, coalesce(a.attnum = ANY (i.indkey), false)
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
            WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum
            """;
        await using var command = new NpgsqlCommand(Sql, connection, transaction) { Parameters = { new() { Value = schema }, new() { Value = name } } };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var columns = new List<(string, uint, bool)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            columns.Add((reader.GetString(0), reader.GetFieldValue<uint>(1), reader.GetBoolean(2)));
        }

        return columns.Count == 0
            ? throw new Config.ConfigException(string.Create(CultureInfo.InvariantCulture, $"Table {schema}.{name} does not exist (or has no columns) in the snapshot."))
            : new PgTable(schema, name, columns);
    }
}
