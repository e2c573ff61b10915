using OrleansLog.Testing;
using Xunit.Abstractions;

namespace OrleansLog.Cluster.Tests;

/// <summary>
/// For test classes that kill or stop brokers: every test starts with all brokers running, even after an
/// earlier test failed between a kill and its restart, so one failure does not become several.
/// </summary>
public abstract class BrokersRunningFirst(PostgresClusterFixture cluster) : IAsyncLifetime
{
    protected PostgresClusterFixture Cluster { get; } = cluster;

    public Task InitializeAsync() => Cluster.RestartExitedBrokers();

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>
    /// Runs a test body; when it fails, writes the last lines of every broker's output (and whether it had
    /// exited) to the test's output, so a CI log shows what the brokers said (a death declaration, a crash).
    /// </summary>
    protected async Task WithBrokerOutputOnFailure(ITestOutputHelper output, Func<Task> body)
    {
        try
        {
            await body();
        }
        catch
        {
            for (var id = 0; id < Cluster.Brokers.Length; id++)
            {
                var broker = Cluster.Brokers[id];
                var lines = broker.Output.Split('\n');
                output.WriteLine($"--- broker {id} ({(broker.HasExited ? "exited" : "running")}), last {Math.Min(lines.Length, 40)} lines of its output:");
                output.WriteLine(string.Join('\n', lines.TakeLast(40)));
            }

            throw;
        }
    }
}
