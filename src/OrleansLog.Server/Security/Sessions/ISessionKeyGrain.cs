using OrleansLog.Security;

namespace OrleansLog.Server.Security.Sessions;

/// <summary>The cluster's session-signing key (key <see cref="ClusterKey"/>): made once at random and kept in the cluster's grain storage, so every silo signs and checks with the same one, also after restarts.</summary>
[ClusterInternal]
public interface ISessionKeyGrain : IGrainWithStringKey
{
    public const string ClusterKey = "cluster";

    Task<byte[]> Key();
}
