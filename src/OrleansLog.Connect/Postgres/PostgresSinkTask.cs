using System.Text;
using Npgsql;
using OrleansLog.Connect.Config;
using OrleansLog.Connect.Converters;
using OrleansLog.Connect.Data;
using OrleansLog.Connect.Plugins;

namespace OrleansLog.Connect.Postgres;

/// <summary>Buffers what it is handed and writes it at each flush, in one transaction per flush. Used by one loop: not thread-safe.</summary>
public sealed class PostgresSinkTask(ConnectContext context) : SinkTask
{
    private readonly List<SinkRecord> _pending = [];
    private readonly Dictionary<string, TableShape> _tables = new(StringComparer.Ordinal);
    private NpgsqlDataSource? _database;
    private string _tableFormat = "";
    private bool _upsert;
    private bool _deletes;
    private bool _autoCreate;
    private string? _keyColumn;

    public override Task StartAsync(ConnectConfig config, CancellationToken cancellationToken)
    {
        if (PostgresSettings.CheckHost(config, context).FirstOrDefault() is { Error: { } refused })
        {
            throw new ConfigException(refused);
        }

        _database = NpgsqlDataSource.Create(PostgresSettings.ConnectionString(config, "orleanslog-connect-sink"));
        _tableFormat = config.RequireString(PostgresSinkConnector.TableFormat);
        _upsert = config.GetString(PostgresSinkConnector.InsertMode) == "upsert";
        _deletes = config.GetBool(PostgresSinkConnector.DeleteEnabled);
        _autoCreate = config.GetBool(PostgresSinkConnector.AutoCreate);
        _keyColumn = config.GetList(PostgresSinkConnector.KeyFields) is [var single] ? single : null;
        return Task.CompletedTask;
    }

    public override Task PutAsync(IReadOnlyList<SinkRecord> records, CancellationToken cancellationToken)
    {
        _pending.AddRange(records);
        return Task.CompletedTask;
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_pending.Count == 0)
        {
            return;
        }

        try
        {
            await using var connection = await _database!.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            foreach (var group in _pending.GroupBy(r => _tableFormat.Replace("${topic}", r.Topic, StringComparison.Ordinal)))
            {
                // The newest record of each key decides: a later upsert over a delete, or a delete over an upsert.
                var newest = group.Select(r => (Key: KeyOf(r), Record: r)).GroupBy(r => JsonConverter.ToJsonText(r.Key)).Select(g => g.Last()).ToList();
                var table = await ShapeAsync(connection, transaction, group.Key, newest.Select(n => n.Record).FirstOrDefault(r => r.Value is not null), newest[0].Key, cancellationToken);
                if (_deletes)
                {
                    await DeleteAsync(connection, transaction, table, [.. newest.Where(n => n.Record.Value is null).Select(n => n.Key)], cancellationToken);
                }

                await UpsertAsync(connection, transaction, table, [.. newest.Where(n => n.Record.Value is not null).Select(n => RowOf(n.Record, n.Key))], cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            _pending.Clear();
        }
        catch (NpgsqlException e) when (e.IsTransient)
        {
            throw new RetriableConnectException($"PostgreSQL is unreachable for now: {e.Message}", e);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    private ConnectStruct KeyOf(SinkRecord record) => record.Key switch
    {
        ConnectStruct fields => fields,
        null => throw new DataException($"A record of {record.Topic} at offset {record.KafkaOffset} has no key; the PostgreSQL sink writes by key."),
        var plain => _keyColumn is { } column ? new ConnectStruct { [column] = plain } : throw new DataException("The key is not a struct: set pk.fields to the one key column."),
    };

    private static ConnectStruct RowOf(SinkRecord record, ConnectStruct key)
    {
        var row = record.Value as ConnectStruct ?? throw new DataException($"A record of {record.Topic} at offset {record.KafkaOffset} has a value that is not a struct; the PostgreSQL sink writes rows.");
        var withKey = new ConnectStruct(row);
        foreach (var (name, value) in key)
        {
            withKey[name] = value;
        }

        return withKey;
    }

    private async Task<TableShape> ShapeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string name, SinkRecord? sample, ConnectStruct key, CancellationToken cancellationToken)
    {
        if (_tables.TryGetValue(name, out var known))
        {
            return known;
        }

        var quoted = PgValues.QuoteTable(name);
        var columns = await ColumnsAsync(connection, transaction, quoted, cancellationToken);
        if (columns.Count == 0)
        {
            if (!_autoCreate || sample is null)
            {
                throw new DataException($"Table {name} does not exist; create it, or set auto.create=true.");
            }

            var row = RowOf(sample, key);
            var definitions = row.Select(c => $"{PgValues.Quote(c.Key)} {PgValues.ColumnType(sample.ValueSchema?.Field(c.Key) ?? sample.KeySchema?.Field(c.Key) ?? Infer(c.Value))}{(key.ContainsKey(c.Key) ? " NOT NULL" : "")}");
            var create = $"CREATE TABLE IF NOT EXISTS {quoted} ({string.Join(", ", definitions)}, PRIMARY KEY ({string.Join(", ", key.Keys.Select(PgValues.Quote))}))";
            await using (var command = new NpgsqlCommand(create, connection, transaction))
            {
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            columns = await ColumnsAsync(connection, transaction, quoted, cancellationToken);
        }

        var shape = new TableShape(quoted, columns, [.. key.Keys]);
        _tables[name] = shape;
        return shape;
    }

    private static ConnectSchema Infer(object? value) => new(value switch
    {
        bool => ConnectTypes.Boolean,
        long or int or short => ConnectTypes.Int64,
        double or float => ConnectTypes.Float64,
        byte[] => ConnectTypes.Bytes,
        _ => ConnectTypes.String,
    });

    private static async Task<List<string>> ColumnsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string quotedTable, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT attname FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped ORDER BY attnum", connection, transaction)
        {
            Parameters = { new() { Value = quotedTable } },
        };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var columns = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            columns.Add(reader.GetString(0));
        }

        return columns;
    }

    private static async Task DeleteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, TableShape table, List<ConnectStruct> keys, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return;
        }

        var where = string.Join(" AND ", table.Key.Select((column, i) => $"{PgValues.Quote(column)}::text = ${i + 1}"));
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var key in keys)
        {
            var command = new NpgsqlBatchCommand($"DELETE FROM {table.Quoted} WHERE {where}");
            foreach (var column in table.Key)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = PgValues.ToText(key.GetValueOrDefault(column)) ?? (object)DBNull.Value });
            }

            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task UpsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, TableShape table, List<ConnectStruct> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }

        var columns = rows[0].Keys.ToList();
        if (columns.FirstOrDefault(c => !table.Columns.Contains(c)) is { } unknown)
        {
            throw new DataException($"Table {table.Quoted} has no column \"{unknown}\".");
        }

        var list = string.Join(", ", columns.Select(PgValues.Quote));
        await using (var stage = new NpgsqlCommand($"CREATE TEMP TABLE orleanslog_stage ON COMMIT DROP AS SELECT {list} FROM {table.Quoted} WITH NO DATA", connection, transaction))
        {
            await stage.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var writer = await connection.BeginTextImportAsync($"COPY orleanslog_stage ({list}) FROM STDIN", cancellationToken))
        {
            var line = new StringBuilder();
            foreach (var row in rows)
            {
                line.Clear();
                for (var i = 0; i < columns.Count; i++)
                {
                    if (i > 0)
                    {
                        line.Append('\t');
                    }

                    PgValues.AppendCopyText(line, row.GetValueOrDefault(columns[i]));
                }

                // COPY's rows end with a newline alone, whatever the platform's.
                await writer.WriteAsync(line.Append('\n'), cancellationToken);
            }
        }

        var updates = columns.Where(c => !table.Key.Contains(c)).Select(c => $"{PgValues.Quote(c)} = EXCLUDED.{PgValues.Quote(c)}").ToList();
        var conflict = !_upsert ? "" : updates.Count == 0
            ? $" ON CONFLICT ({string.Join(", ", table.Key.Select(PgValues.Quote))}) DO NOTHING"
            : $" ON CONFLICT ({string.Join(", ", table.Key.Select(PgValues.Quote))}) DO UPDATE SET {string.Join(", ", updates)}";
        await using (var merge = new NpgsqlCommand($"INSERT INTO {table.Quoted} ({list}) SELECT {list} FROM orleanslog_stage{conflict}; DROP TABLE orleanslog_stage", connection, transaction))
        {
            await merge.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private sealed record TableShape(string Quoted, List<string> Columns, List<string> Key);
}
