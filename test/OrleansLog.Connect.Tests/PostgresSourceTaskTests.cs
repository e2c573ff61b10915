using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansLog.Connect.Data;
using OrleansLog.Connect.Hosting;
using OrleansLog.Connect.Plugins;
using OrleansLog.Connect.Postgres;
using OrleansLog.Testing;

namespace OrleansLog.Connect.Tests;

/// <summary>
/// The PostgreSQL source task on a real server: where its snapshot's offsets leave a task that starts again. The batch
/// that ends the snapshot commits the slot's consistent point, so a task stopped before streaming committed anything
/// streams the changes since (deletes included) instead of taking a second snapshot, which cannot delete rows.
/// </summary>
public sealed class PostgresSourceTaskTests : IAsyncLifetime
{
    private readonly ConnectContext _context = new(new ConnectOptions { AllowedHosts = ["127.0.0.1"] }, TimeProvider.System, NullLoggerFactory.Instance);
    private PostgresServer _postgres = null!;
    private string _database = "";

    public async Task InitializeAsync()
    {
        _postgres = await PostgresServer.StartNewAsync();
        _database = await _postgres.CreateDatabaseAsync("shop");
        await PostgresRows.ExecuteAsync(_database, "CREATE TABLE accounts (id integer PRIMARY KEY, name text NOT NULL)");
        await PostgresRows.ExecuteAsync(_database, "INSERT INTO accounts SELECT i, 'name ' || i FROM generate_series(1, 4) i");
    }

    public async Task DisposeAsync() => await _postgres.DisposeAsync();

    [Fact]
    public async Task The_batch_that_ends_the_snapshot_commits_the_consistent_point_even_when_it_is_full()
    {
        await using var task = await StartAsync(new Offsets(null));

        var first = await task.PollAsync(CancellationToken.None);
        var second = await task.PollAsync(CancellationToken.None);

        Assert.Equal([1, 2], first.Select(Id));
        Assert.All(first, r => Assert.Equal("running", r.SourceOffset["snapshot"]!.GetValue<string>()));
        Assert.Equal([3, 4], second.Select(Id));
        Assert.All(second, r => Assert.Equal("done", r.SourceOffset["snapshot"]!.GetValue<string>()));
        Assert.True(ulong.Parse(second[^1].SourceOffset["lsn"]!.GetValue<string>(), CultureInfo.InvariantCulture) > 0);
    }

    [Fact]
    public async Task A_task_that_starts_again_after_the_snapshot_streams_the_deletes_since_instead_of_a_new_snapshot()
    {
        JsonObject committed;
        await using (var task = await StartAsync(new Offsets(null)))
        {
            await task.PollAsync(CancellationToken.None);
            committed = (await task.PollAsync(CancellationToken.None))[^1].SourceOffset;
        }

        // Stopped before streaming committed a transaction; meanwhile a row goes and another changes.
        await PostgresRows.ExecuteAsync(_database, "DELETE FROM accounts WHERE id = 1; UPDATE accounts SET name = 'changed' WHERE id = 2");
        await using var again = await StartAsync(new Offsets(committed));

        var changes = new List<SourceRecord>();
        await Wait.Until(
            async () =>
            {
                changes.AddRange(await again.PollAsync(CancellationToken.None));
                return changes.Count >= 2;
            },
            "the two changes streamed");

        Assert.Equal([("d", 1), ("u", 2)], changes.Select(r => (Op(r), Id(r))));
        Assert.Null(changes[0].Value);
        Assert.Equal("changed", ((ConnectStruct)changes[1].Value!)["name"]);
    }

    private async Task<SourceTask> StartAsync(ISourceOffsets offsets)
    {
        var connector = new PostgresSourceConnector();
        var task = connector.CreateTask(_context);
        var config = connector.Config.Parse(ImmutableDictionary<string, string>.Empty
            .Add(PostgresSettings.Host, "127.0.0.1")
            .Add(PostgresSettings.Port, _postgres.Port.ToString(CultureInfo.InvariantCulture))
            .Add(PostgresSettings.User, "postgres")
            .Add(PostgresSettings.Database, "shop")
            .Add(PostgresSourceConnector.Tables, "public.accounts")
            .Add(PostgresSourceConnector.TopicPrefix, "shop")
            .Add(PostgresSourceConnector.BatchSize, "2"));
        await task.StartAsync(config, offsets, CancellationToken.None);
        return task;
    }

    private static int Id(SourceRecord record) => Convert.ToInt32(((ConnectStruct)record.Key!)["id"], CultureInfo.InvariantCulture);

    private static string Op(SourceRecord record) => Encoding.UTF8.GetString(record.Headers.Single(h => h.Key == "op").Value!);

    private sealed class Offsets(JsonObject? offset) : ISourceOffsets
    {
        public JsonObject? OffsetOf(JsonObject partition) => offset;
    }
}
