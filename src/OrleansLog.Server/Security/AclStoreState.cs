using OrleansLog.Security;

namespace OrleansLog.Server.Security;

/// <summary>The persisted ACLs and their version.</summary>
[GenerateSerializer]
public sealed class AclStoreState
{
    [Id(0)]
    public long Version { get; set; }

    [Id(1)]
    public List<AclBinding> Acls { get; set; } = [];
}
