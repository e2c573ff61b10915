using OrleansLog.Security;

namespace OrleansLog.Server.Security.Quotas;

/// <summary>The persisted client quotas and their version.</summary>
[GenerateSerializer]
public sealed class ClientQuotaStoreState
{
    [Id(0)]
    public long Version { get; set; }

    [Id(1)]
    public Dictionary<ClientQuotaEntity, Dictionary<string, double>> Quotas { get; set; } = [];
}
