using OrleansLog.Testing;

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
}
