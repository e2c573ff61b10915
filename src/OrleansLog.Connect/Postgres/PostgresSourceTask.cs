using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Npgsql;
using Npgsql.Replication;
using Npgsql.Replication.PgOutput;
using Npgsql.Replication.PgOutput.Messages;
using NpgsqlTypes;
using OrleansLog.Connect.Config;
using OrleansLog.Connect.Data;
using OrleansLog.Connect.Plugins;

namespace OrleansLog.Connect.Postgres;

/// <summary>
/// Reads the snapshot, then streams committed transactions from the slot. A background reader turns pgoutput messages
/// into whole transactions (Npgsql reuses its message objects, so values are read at once) and hands them over through
/// a bounded channel; polls take whole transactions. A snapshot that did not finish is taken again from the start
/// with a fresh slot (its rows are upserts by key, so repeating them is harmless to a keyed consumer, but a row deleted
/// between the two snapshots stays with a consumer that got it from the first, as with Debezium); one that finished
/// streams from its consistent point (see <see cref="Snapshot"/>). The slot is
/// told to move on only from <see cref="CommitAsync"/>; a slot whose tables see no change keeps its WAL until one comes.
/// Polled from one loop; the reader runs beside it and only writes the channel.
/// </summary>
public sealed class PostgresSourceTask(ConnectContext context) : SourceTask
{
    private static readonly TimeSpan PollWait = TimeSpan.FromMilliseconds(500);

    private readonly Channel<List<SourceRecord>> _transactions = Channel.CreateBounded<List<SourceRecord>>(64);
    private readonly Dictionary<uint, PgTable> _relations = [];
    private readonly CancellationTokenSource _stop = new();
    private string _connectionString = "";
    private string _prefix = "";
    private string _slot = "";
    private string _publication = "";
    private int _batchSize;
    private List<(string Schema, string Name)> _tables = [];
    private JsonObject _partition = [];
    private LogicalReplicationConnection? _replication;
    private Snapshot? _snapshot;
    private Task? _reader;
    private ulong _committedLsn;

    public override async Task StartAsync(ConnectConfig config, ISourceOffsets offsets, CancellationToken cancellationToken)
    {
        if (PostgresSettings.CheckHost(config, context).FirstOrDefault() is { Error: { } refused })
        {
            throw new ConfigException(refused);
        }

        _connectionString = PostgresSettings.ConnectionString(config, "orleanslog-connect");
        _prefix = config.RequireString(PostgresSourceConnector.TopicPrefix);
        _slot = config.GetString(PostgresSourceConnector.SlotName) is { Length: > 0 } slot ? slot : PostgresSourceConnector.DefaultName(_prefix);
        _publication = config.GetString(PostgresSourceConnector.PublicationName) is { Length: > 0 } publication ? publication : PostgresSourceConnector.DefaultName(_prefix);
        _batchSize = config.GetInt(PostgresSourceConnector.BatchSize);
        _tables = [.. config.GetList(PostgresSourceConnector.Tables).Select(t => t.Contains('.', StringComparison.Ordinal) ? (t[..t.IndexOf('.', StringComparison.Ordinal)], t[(t.IndexOf('.', StringComparison.Ordinal) + 1)..]) : ("public", t))];
        _partition = new JsonObject { ["server"] = _prefix };

        var offset = offsets.OffsetOf(_partition);
        var snapshotDone = offset?["snapshot"]?.GetValue<string>() == "done";
        _committedLsn = offset?["lsn"] is { } lsn ? ulong.Parse(lsn.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) : 0;

        await EnsurePublicationAsync(cancellationToken);
        _replication = new LogicalReplicationConnection(_connectionString);
        await _replication.Open(cancellationToken);
        var slotExists = await SlotExistsAsync(cancellationToken);
        if (!snapshotDone && config.GetString(PostgresSourceConnector.SnapshotMode) == "initial")
        {
            if (slotExists)
            {
                await _replication.DropReplicationSlot(_slot, wait: true, cancellationToken);
            }

            var created = await _replication.CreatePgOutputReplicationSlot(_slot, slotSnapshotInitMode: LogicalSlotSnapshotInitMode.Export, cancellationToken: cancellationToken);
            _snapshot = await Snapshot.OpenAsync(_connectionString, created.SnapshotName!, _tables, (ulong)created.ConsistentPoint, cancellationToken);
            return;
        }

        if (!slotExists)
        {
            if (snapshotDone)
            {
                throw new InvalidOperationException($"Replication slot {_slot} is gone, so changes since LSN {new NpgsqlLogSequenceNumber(_committedLsn)} cannot be read; delete the connector's offsets or use a new topic.prefix to take a new snapshot.");
            }

            await _replication.CreatePgOutputReplicationSlot(_slot, slotSnapshotInitMode: LogicalSlotSnapshotInitMode.NoExport, cancellationToken: cancellationToken);
        }

        StartReader();
    }

    public override async Task<IReadOnlyList<SourceRecord>> PollAsync(CancellationToken cancellationToken)
    {
        if (_snapshot is { } snapshot)
        {
            var rows = await snapshot.ReadAsync(_batchSize, _prefix, _partition, cancellationToken);
            if (snapshot.Done)
            {
                // The exported snapshot lives only until the replication connection runs its next command: streaming starts now.
                await snapshot.DisposeAsync();
                _snapshot = null;
                StartReader();
            }

            return rows;
        }

        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(PollWait);
        var records = new List<SourceRecord>();
        try
        {
            if (!await _transactions.Reader.WaitToReadAsync(wait.Token))
            {
                await (_reader ?? Task.CompletedTask);
                throw new InvalidOperationException("The replication stream ended.");
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return records;
        }

        while (records.Count < _batchSize && _transactions.Reader.TryRead(out var transaction))
        {
            records.AddRange(transaction);
        }

        return records;
    }

    public override Task CommitAsync(IReadOnlyList<SourceRecord> records, CancellationToken cancellationToken)
    {
        if (records.Count > 0 && records[^1].SourceOffset["lsn"] is { } lsn && _replication is not null && _snapshot is null && _reader is not null)
        {
            var committed = new NpgsqlLogSequenceNumber(ulong.Parse(lsn.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
            // Npgsql sends it with its next status update (every WalReceiverStatusInterval); sending one from here while
            // the reader waits on the stream stalled the stream.
            _replication.SetReplicationStatus(committed);
        }

        return Task.CompletedTask;
    }

    public override async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_reader is not null)
        {
            await _reader.ContinueWith(static _ => { }, TaskScheduler.Default);
        }

        if (_snapshot is not null)
        {
            await _snapshot.DisposeAsync();
        }

        if (_replication is not null)
        {
            await _replication.DisposeAsync();
        }

        _stop.Dispose();
        await base.DisposeAsync();
    }

    private void StartReader()
    {
        var replication = _replication!;
        _reader = Task.Run(() => ReadAsync(replication, _stop.Token));
    }

    private async Task ReadAsync(LogicalReplicationConnection replication, CancellationToken cancellationToken)
    {
        try
        {
            List<SourceRecord>? transaction = null;
            var options = new PgOutputReplicationOptions(_publication, PgOutputProtocolVersion.V1);
            await foreach (var message in replication.StartReplication(new PgOutputReplicationSlot(_slot), options, cancellationToken))
            {
                switch (message)
                {
                    case RelationMessage relation:
                        _relations[relation.RelationId] = new PgTable(relation.Namespace, relation.RelationName,
                            relation.Columns.Select(c => (c.ColumnName, c.DataTypeId, c.Flags.HasFlag(RelationMessage.Column.ColumnFlags.PartOfKey))));
                        break;
                    case BeginMessage:
                        transaction = [];
                        break;
                    case InsertMessage insert:
                        transaction?.Add(await Change(insert.Relation.RelationId, insert.NewRow, "c", cancellationToken));
                        break;
                    case UpdateMessage update:
                        transaction?.Add(await Change(update.Relation.RelationId, update.NewRow, "u", cancellationToken));
                        break;
                    case KeyDeleteMessage delete:
                        transaction?.Add(await Change(delete.Relation.RelationId, delete.Key, "d", cancellationToken));
                        break;
                    case FullDeleteMessage delete:
                        transaction?.Add(await Change(delete.Relation.RelationId, delete.OldRow, "d", cancellationToken));
                        break;
                    case CommitMessage commit:
                        var end = (ulong)commit.TransactionEndLsn;
                        if (transaction is { Count: > 0 } && end > _committedLsn)
                        {
                            // Every record of the transaction carries its end: the newest offset per source partition is the last one's.
                            var offset = new JsonObject { ["lsn"] = end.ToString(System.Globalization.CultureInfo.InvariantCulture), ["snapshot"] = "done" };
                            await _transactions.Writer.WriteAsync([.. transaction.Select(r => r with { SourceOffset = offset })], cancellationToken);
                        }

                        // A transaction with nothing of ours is not confirmed to the slot here: one of ours before it may
                        // still be on its way to the log. The next commit of ours confirms past both.
                        transaction = null;
                        break;
                }
            }

            _transactions.Writer.TryComplete();
        }
        catch (Exception e)
        {
            _transactions.Writer.TryComplete(e is OperationCanceledException ? null : e);
            if (e is not OperationCanceledException)
            {
                throw;
            }
        }
    }

    private async Task<SourceRecord> Change(uint relationId, ReplicationTuple tuple, string op, CancellationToken cancellationToken)
    {
        var table = _relations[relationId];
        var row = new ConnectStruct();
        var column = 0;
        await foreach (var value in tuple.WithCancellation(cancellationToken))
        {
            var (name, type, _) = table.Columns[column++];
            row[name] = value.Kind switch
            {
                TupleDataKind.Null => null,
                TupleDataKind.UnchangedToastedValue => UnchangedToastedValue,
                _ => PgValues.FromText(type, await value.Get<string>(cancellationToken)),
            };
        }

        var headers = new List<KeyValuePair<string, byte[]?>> { KeyValuePair.Create<string, byte[]?>("op", Encoding.UTF8.GetBytes(op)) };
        return new SourceRecord(_partition, [], table.Topic(_prefix), table.KeySchema, table.KeyOf(row), op == "d" ? null : table.ValueSchema, op == "d" ? null : row, null)
        {
            Headers = [.. headers],
        };
    }

    /// <summary>What an update carries for a large (TOASTed) column it did not change (Debezium's placeholder).</summary>
    public const string UnchangedToastedValue = "__debezium_unavailable_value";

    private async Task EnsurePublicationAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_publication WHERE pubname = $1", connection) { Parameters = { new() { Value = _publication } } };
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            var tables = string.Join(", ", _tables.Select(t => PgValues.Quote(t.Schema) + "." + PgValues.Quote(t.Name)));
            await using var create = new NpgsqlCommand($"CREATE PUBLICATION {PgValues.Quote(_publication)} FOR TABLE {tables}", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private async Task<bool> SlotExistsAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT 1 FROM pg_replication_slots WHERE slot_name = $1", connection) { Parameters = { new() { Value = _slot } } };
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }
}
