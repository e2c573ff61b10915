using OrleansLog.Testing;

namespace OrleansLog.Cluster.Tests;

/// <summary>One PostgreSQL server and three broker processes, shared by the classes that need a running cluster.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCluster : ICollectionFixture<PostgresClusterFixture>
{
    public const string Name = "postgres cluster";
}
