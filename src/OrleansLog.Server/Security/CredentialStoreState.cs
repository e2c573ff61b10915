using OrleansLog.Security;

namespace OrleansLog.Server.Security;

/// <summary>The persisted users: each user's SCRAM credentials by mechanism name.</summary>
[GenerateSerializer]
public sealed class CredentialStoreState
{
    [Id(0)]
    public Dictionary<string, Dictionary<string, StoredScramCredential>> Users { get; set; } = new(StringComparer.Ordinal);
}
