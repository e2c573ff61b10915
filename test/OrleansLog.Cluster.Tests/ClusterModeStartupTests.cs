using OrleansLog.Postgres;
using OrleansLog.Testing;
using static OrleansLog.Testing.CliAssert;

namespace OrleansLog.Cluster.Tests;

/// <summary>
/// Getting a cluster-mode broker started: `orleanslog db migrate` against a real PostgreSQL, and every
/// cluster setting that cannot work stopping the broker with one line that says what to do.
/// </summary>
[Collection(PostgresCluster.Name)]
public class ClusterModeStartupTests(PostgresClusterFixture cluster)
{
    [Fact]
    public async Task Db_migrate_applies_every_script_once_and_finds_them_unchanged_the_next_time()
    {
        var database = await cluster.Postgres.CreateDatabaseAsync("migrate_twice");
        Assert.Equal(PostgresSchema.RequiredQueryKeys, await PostgresSchema.FindMissingQueryKeysAsync(database));

        var first = Ok(await CliRunner.RunAsync("127.0.0.1:1", null, "db", "migrate", "--connection", database));
        Assert.Equal(SchemaScript.All.Count, first.Stdout.Split('\n').Count(l => l.StartsWith("applied", StringComparison.Ordinal)));
        var second = Ok(await CliRunner.RunAsync("127.0.0.1:1", null, "db", "migrate", "--connection", database));
        Assert.Equal(SchemaScript.All.Count, second.Stdout.Split('\n').Count(l => l.StartsWith("unchanged", StringComparison.Ordinal)));
        Assert.Empty(await PostgresSchema.FindMissingQueryKeysAsync(database));
    }

    [Fact]
    public async Task Db_migrate_without_a_connection_string_is_a_usage_error() =>
        Error(await CliRunner.RunAsync("127.0.0.1:1", null, "db", "migrate"), 2, "no connection string");

    [Fact]
    public async Task Db_migrate_against_a_server_that_does_not_answer_exits_with_code_3() =>
        Error(await CliRunner.RunAsync("127.0.0.1:1", null, "db", "migrate", "--connection", $"Host=127.0.0.1;Port={FreePort.Next()};Username=postgres;Timeout=2"), 3, "nothing was changed");

    [Fact]
    public async Task A_broker_on_a_database_without_the_schema_refuses_to_start_and_names_the_migrate_command()
    {
        var empty = await cluster.Postgres.CreateDatabaseAsync("no_schema");
        var output = await FailedStart(PostgresClusterFixture.ClusterArguments(empty, 7));
        Assert.Contains("error: the database has no (or an old) OrleansLog schema", output, StringComparison.Ordinal);
        Assert.Contains("orleanslog db migrate", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--cluster-mode", "Mesh", "is not one of Embedded, AdoNet, Kubernetes")]
    [InlineData("--cluster-mode", "AdoNet", "needs a PostgreSQL connection string")]
    [InlineData("--OrleansLog:Cluster:SiloPort", "70000", "is not a port")]
    public async Task A_cluster_setting_that_cannot_work_stops_the_broker_with_one_line(string setting, string value, string message)
    {
        var output = await FailedStart([setting, value]);
        Assert.Contains(message, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_advertised_address_that_is_not_an_ip_address_stops_the_broker()
    {
        var output = await FailedStart(["--cluster-mode", "AdoNet", "--connection", cluster.ConnectionString, "--advertised-address", "broker.local"]);
        Assert.Contains("AdvertisedAddress \"broker.local\" is not an IP address", output, StringComparison.Ordinal);
    }

    private static async Task<string> FailedStart(IReadOnlyList<string> arguments)
    {
        using var data = new TempDirectory();
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => SiloProcess.StartAsync(data.Sub("data"), TimeSpan.FromSeconds(60), arguments));
        Assert.Contains("exited with code 1", failure.Message, StringComparison.Ordinal);
        return failure.Message;
    }
}
