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

                // Stack frames and Orleans' per-message addressing failures would push the broker's own story out.
                var lines = broker.Output.Split('\n').Where(l => !l.TrimStart().StartsWith("at ", StringComparison.Ordinal) && !l.Contains("End of stack trace", StringComparison.Ordinal)).ToList();
                output.WriteLine($"--- broker {id} ({(broker.HasExited ? "exited" : "running")}), last {Math.Min(lines.Count, 60)} lines of its output (stack frames left out):");
                output.WriteLine(string.Join('\n', lines.TakeLast(60)));
            }

            throw;
        }
        finally
        {
            if (Environment.GetEnvironmentVariable("ORLEANSLOG_BROKER_LOGS") is { Length: > 0 } folder)
            {
                // For a local diagnosis, pass or fail: each broker's whole output.
                for (var id = 0; id < Cluster.Brokers.Length; id++)
                {
                    File.WriteAllText(Path.Combine(folder, $"broker-{id}.log"), Cluster.Brokers[id].Output);
                }
            }
        }
    }
}
