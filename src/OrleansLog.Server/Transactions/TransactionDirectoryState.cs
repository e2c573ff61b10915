namespace OrleansLog.Server.Transactions;

/// <summary>The transactional ids the cluster knows (written only when one appears or expires).</summary>
[GenerateSerializer]
public sealed class TransactionDirectoryState
{
    [Id(0)]
    public HashSet<string> Ids { get; set; } = new(StringComparer.Ordinal);
}
