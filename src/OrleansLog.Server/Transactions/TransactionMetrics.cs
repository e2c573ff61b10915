using System.Diagnostics.Metrics;
using OrleansLog.Server.Diagnostics;

namespace OrleansLog.Server.Transactions;

/// <summary>
/// The transaction coordinators' metrics on the broker's meter: transactions ended, by outcome (commit, abort) and by who
/// ended them (the client; the coordinator for a timeout; a new producer instance fencing the old one). Thread-safe.
/// </summary>
public sealed class TransactionMetrics
{
    private readonly Counter<long> _ended;

    public TransactionMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(BrokerMetrics.MeterName);
        _ended = meter.CreateCounter<long>("orleanslog.transactions.ended", description: "Transactions whose markers were all written by coordinators on this broker, by outcome (commit, abort) and cause (client, timeout, fenced).");
    }

    public void Ended(bool committed, string cause) =>
        _ended.Add(1, new KeyValuePair<string, object?>("outcome", committed ? "commit" : "abort"), new KeyValuePair<string, object?>("cause", cause));
}
