using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLog.Server.Hosting;
using OrleansLog.Transactions;

namespace OrleansLog.Server.Transactions;

/// <summary>
/// Asks the transaction directory each <see cref="TransactionOptions.TimeoutCheckInterval"/> to sweep the coordinators
/// that are due (timed-out transactions, pending markers, expired ids). Every broker runs it, so the directory is
/// reactivated promptly wherever it lands after a silo dies; a sweep with nothing due answers at once.
/// </summary>
public sealed class TransactionSweepService(
    IGrainFactory grains,
    IOptions<TransactionOptions> options,
    TimeProvider time,
    ILogger<TransactionSweepService> logger) : PeriodicPass(options.Value.TimeoutCheckInterval, time, logger)
{
    protected override Task PassAsync() => RunOnce();

    /// <summary>One sweep; returns how many coordinators were due.</summary>
    public Task<int> RunOnce() => grains.GetGrain<ITransactionDirectoryGrain>(ITransactionDirectoryGrain.ClusterKey).SweepDue();
}
