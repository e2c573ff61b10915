using System.Globalization;
using System.Text.Json.Nodes;
using Npgsql;
using OrleansLog.Connect.Data;

namespace OrleansLog.Connect.Postgres;

/// <summary>
/// Reads the captured tables as they were when the slot was created (the slot's exported snapshot, in one repeatable
/// read transaction), a table at a time and a batch at a time, as rows with op "r". The rows' offset says the snapshot
/// is still running, except in the batch that ends it, whose offset is the slot's consistent point with the snapshot
/// done: once that batch is committed, a task that starts again streams the changes since the consistent point from
/// the slot. (It used to take the snapshot again until streaming had committed a transaction, and a new snapshot
/// cannot delete the rows deleted since the first: the sink kept them.) Used by one poll loop: not thread-safe.
/// </summary>
internal sealed class Snapshot : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly Queue<PgTable> _pending;
    private readonly ulong _consistentPoint;
    private NpgsqlCommand? _command;
    private NpgsqlDataReader? _reader;
    private PgTable? _current;
    private SourceRecord? _next;

    private Snapshot(NpgsqlConnection connection, NpgsqlTransaction transaction, IEnumerable<PgTable> tables, ulong consistentPoint)
    {
        _connection = connection;
        _transaction = transaction;
        _pending = new Queue<PgTable>(tables);
        _consistentPoint = consistentPoint;
    }

    public bool Done => _next is null && _current is null && _pending.Count == 0;

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

        return new Snapshot(connection, transaction, described, consistentPoint);
    }

    public async Task<List<SourceRecord>> ReadAsync(int batchSize, string prefix, JsonObject partition, CancellationToken cancellationToken)
    {
        var records = new List<SourceRecord>();
        while (records.Count < batchSize && await NextAsync(prefix, partition, cancellationToken) is { } record)
        {
            records.Add(record);
        }

        // One row ahead, so that the batch that ends the snapshot knows it does.
        _next ??= await NextAsync(prefix, partition, cancellationToken);
        var offset = Done
            ? new JsonObject { ["lsn"] = _consistentPoint.ToString(CultureInfo.InvariantCulture), ["snapshot"] = "done" }
            : new JsonObject { ["snapshot"] = "running" };
        return [.. records.Select(r => r with { SourceOffset = offset })];
    }

    /// <summary>The next row of the snapshot (the one read ahead first), or null once every table is read.</summary>
    private async Task<SourceRecord?> NextAsync(string prefix, JsonObject partition, CancellationToken cancellationToken)
    {
        if (_next is { } next)
        {
            _next = null;
            return next;
        }

        while (_current is not null || _pending.Count > 0)
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

            return new SourceRecord(partition, [], _current.Topic(prefix), _current.KeySchema, _current.KeyOf(row), _current.ValueSchema, row, null)
            {
                Headers = [KeyValuePair.Create<string, byte[]?>("op", "r"u8.ToArray())],
            };
        }

        return null;
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
