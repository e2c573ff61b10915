using System.Collections.Immutable;
using Orleans.Concurrency;

namespace OrleansLog.Security;

/// <summary>
/// The cluster's users (key <see cref="ClusterKey"/>): each user's SCRAM credentials by mechanism, persisted in the
/// cluster's grain storage. The Kafka listener checks SASL/SCRAM and SASL/PLAIN logins against it.
/// </summary>
public interface ICredentialStoreGrain : IGrainWithStringKey
{
    public const string ClusterKey = "cluster";

    /// <summary>The credential of <paramref name="user"/> for <paramref name="mechanism"/>, or null.</summary>
    [AlwaysInterleave]
    [ClusterInternal]
    Task<StoredScramCredential?> Find(string user, string mechanism);

    /// <summary>The credentials of <paramref name="user"/> for every mechanism it has (SASL/PLAIN may check any).</summary>
    [AlwaysInterleave]
    [ClusterInternal]
    Task<ImmutableArray<StoredScramCredential>> FindAll(string user);

    /// <summary>Sets (adds or replaces) a credential of <paramref name="user"/>.</summary>
    [RequiresAcl(AclOperation.Alter, AclResourceType.Cluster, AclResourceSource.Cluster)]
    Task Upsert(string user, StoredScramCredential credential);

    /// <summary>Deletes the credential of <paramref name="user"/> for <paramref name="mechanism"/>; false when there was none.</summary>
    [RequiresAcl(AclOperation.Alter, AclResourceType.Cluster, AclResourceSource.Cluster)]
    Task<bool> Delete(string user, string mechanism);

    /// <summary>Every user's credentials (mechanism and iterations), or those of <paramref name="users"/> when given.</summary>
    [AlwaysInterleave]
    [RequiresAcl(AclOperation.Describe, AclResourceType.Cluster, AclResourceSource.Cluster)]
    Task<ImmutableArray<ScramCredentialInfo>> Describe(ImmutableArray<string> users);
}
