namespace OrleansLog.Connect.Hosting;

/// <summary>The broker's connector settings (<c>OrleansLog:Connect</c>): how often tasks are checked, where source offsets live, and what connectors may touch.</summary>
public sealed class ConnectOptions
{
    public const string SectionName = "OrleansLog:Connect";

    /// <summary>Whether this broker runs connectors' tasks and wakes their supervision.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often tasks are checked: a task of a dead silo is running elsewhere about this long after Orleans declares the silo dead.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The compacted topic that holds source connectors' offsets (Kafka Connect's <c>offset.storage.topic</c>).</summary>
    public string OffsetsTopic { get; set; } = "connect-offsets";

    /// <summary>Replicas of the offsets topic and of dead-letter topics the runtime creates (-1: the broker's default).</summary>
    public short ReplicationFactor { get; set; } = -1;

    /// <summary>
    /// The folders file connectors may read and write (their files and everything under them). Empty: file connectors are
    /// refused, since a connector's file is read or written with the broker's own rights.
    /// </summary>
    public string[] FileRoots { get; set; } = [];

    /// <summary>
    /// The hosts (host or host:port) connectors may connect to: the HTTP sink's endpoints and the databases of the
    /// PostgreSQL connectors. Empty: those connectors are refused, since they connect from inside the cluster's network
    /// wherever a user points them.
    /// </summary>
    public string[] AllowedHosts { get; set; } = [];

    /// <summary>At most this many connectors in the cluster.</summary>
    public int MaxConnectors { get; set; } = 100;

    /// <summary>The largest <c>tasks.max</c> a connector may ask for.</summary>
    public int MaxTasksPerConnector { get; set; } = 32;

    /// <summary>How long a task waits for a stop (its last flush or transaction) before it is abandoned.</summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
