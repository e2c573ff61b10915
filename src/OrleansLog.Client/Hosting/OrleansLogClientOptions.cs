namespace OrleansLog.Client.Hosting;

/// <summary>How <see cref="ServiceCollectionExtensions.AddOrleansLogClient"/> reaches the brokers.</summary>
public sealed class OrleansLogClientOptions
{
    /// <summary>
    /// Broker gateways as host:port. When set, an Orleans client to them is registered too; when empty,
    /// the application provides <see cref="IGrainFactory"/> itself (inside a silo, or its own client).
    /// </summary>
    public List<string> Gateways { get; } = [];

    /// <summary>The cluster's Orleans cluster id and service id (the broker's <c>OrleansLog:Cluster:ClusterId</c>).</summary>
    public string ClusterId { get; set; } = "orleanslog";

    /// <summary>
    /// The client's certificate (PEM), for a cluster whose gateways require mutual TLS (the brokers'
    /// <c>OrleansLog:Cluster:Tls</c>); with <see cref="TlsKeyPath"/> and <see cref="TlsCaPath"/>. Unset, no TLS.
    /// </summary>
    public string? TlsCertificatePath { get; set; }

    /// <summary>The key of <see cref="TlsCertificatePath"/> (PEM, unencrypted).</summary>
    public string? TlsKeyPath { get; set; }

    /// <summary>The authority the gateways' certificates must chain to (PEM); unset, the system's.</summary>
    public string? TlsCaPath { get; set; }

    /// <summary>
    /// A user of the cluster (its SCRAM store, as <c>orleanslog users set</c> makes them); the client signs in with it
    /// and <see cref="Password"/> and its calls run as User:name under the cluster's ACLs. Unset, the calls are
    /// User:ANONYMOUS when the brokers check ACLs.
    /// </summary>
    public string? UserName { get; set; }

    /// <summary>The password of <see cref="UserName"/>.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// Gives a bearer JWT of the issuer the brokers trust (<c>OrleansLog:OAuth</c>), asked for at each sign-in, instead
    /// of a user and password; the principal is the token's subject.
    /// </summary>
    public Func<Task<string>>? BearerToken { get; set; }
}
