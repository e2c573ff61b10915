using System.Collections.Immutable;
using OrleansLog.Security;

namespace OrleansLog.Transactions;

/// <summary>
/// The cluster's list of transactional ids (one activation, key <see cref="ClusterKey"/>): which exist (for
/// ListTransactions) and which have a transaction open until when, so one that its producer abandoned is aborted on time
/// even after the silo of its coordinator died.
/// </summary>
public interface ITransactionDirectoryGrain : IGrainWithStringKey
{
    const string ClusterKey = "cluster";

    /// <summary>Records that <paramref name="transactionalId"/> exists and when its coordinator should be looked at next (Unix ms).</summary>
    [Security.ClusterInternal]
    Task Report(string transactionalId, long nextCheckMs);

    /// <summary>Asks the coordinators whose transactions are past their deadline to abort them; returns how many were asked.</summary>
    [Security.ClusterInternal]
    Task<int> SweepDue();

    /// <summary>The descriptions of those of <paramref name="ids"/> that exist, from their coordinators, asked all at once.</summary>
    static async Task<ImmutableArray<TransactionDescription>> DescribeExistingAsync(IGrainFactory grains, IEnumerable<string> ids) =>
        [.. (await Task.WhenAll(ids.Select(id => grains.GetGrain<ITransactionCoordinatorGrain>(id).Describe()))).Where(d => d.Exists)];

    /// <summary>Every known transactional id the caller may describe.</summary>
    [FiltersByAcl(AclResourceType.TransactionalId)]
    Task<ImmutableArray<string>> List();
}
