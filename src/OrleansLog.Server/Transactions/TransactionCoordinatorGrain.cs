using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLog.Groups;
using OrleansLog.Partitions;
using OrleansLog.Producers;
using OrleansLog.Server.Persistence;
using OrleansLog.Transactions;

namespace OrleansLog.Server.Transactions;

/// <summary>
/// The coordinator of one transactional id (see <see cref="ITransactionCoordinatorGrain"/>): a thin shell over
/// <see cref="TransactionMachine"/> that persists each decision in the cluster's grain storage before acting on it and
/// writes the markers. Two-phase end: PrepareCommit/PrepareAbort is written, then every partition gets its marker and
/// every group its commit or abort of pending offsets, then the transaction is complete (kept in memory; the next write
/// persists it, and a reactivation that finds a prepared state writes the markers again, which is harmless). Each
/// activation raises the coordinator epoch that markers carry, so a stale activation's markers are refused.
/// <para>Concurrency: not reentrant, so one decision at a time; the two read-only checks partition leaders and groups
/// make interleave (they must not wait behind a marker write that waits on them).</para>
/// </summary>
public sealed partial class TransactionCoordinatorGrain(
    [PersistentState("transaction", OrleansLogStorage.Name)] IPersistentState<TransactionCoordinatorState> state,
    IOptions<TransactionOptions> options,
    TransactionMetrics metrics,
    TimeProvider time,
    ILogger<TransactionCoordinatorGrain> logger) : Grain, ITransactionCoordinatorGrain
{
    private TransactionMachine _machine = null!;
    private IGrainTimer? _retry;

    /// <summary>Who ended the transaction being completed, for the metrics: the client, or the coordinator (timeout, fenced).</summary>
    private string _endedBy = "client";

    private string Id => this.GetPrimaryKeyString();

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    private ITransactionDirectoryGrain Directory => GrainFactory.GetGrain<ITransactionDirectoryGrain>(ITransactionDirectoryGrain.ClusterKey);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _machine = new TransactionMachine(state.State);
        if (state.RecordExists)
        {
            var before = state.State.Copy();
            state.State.CoordinatorEpoch++;
            await state.WriteOrRestoreAsync(before, $"the coordinator epoch of transactional id \"{Id}\"");
            if (_machine.IsPreparing)
            {
                ScheduleRetry();
            }
        }
    }

    public async Task<ProducerIdentity> InitProducerId(int transactionTimeoutMs)
    {
        var maxTimeout = (int)options.Value.MaxTimeout.TotalMilliseconds;
        if (transactionTimeoutMs <= 0 || transactionTimeoutMs > maxTimeout)
        {
            throw new OrleansLogException(ErrorCode.InvalidTransactionTimeout, $"transaction.timeout.ms={transactionTimeoutMs} must be between 1 and {maxTimeout} (transaction.max.timeout.ms).");
        }

        // An open transaction of an earlier instance is aborted under a new epoch, which fences that instance.
        if (_machine.IsOpen)
        {
            await AbortFencedAsync("a new producer instance initialised the id", "fenced");
        }

        if (_machine.IsPreparing && !await TryCompleteAsync())
        {
            throw new OrleansLogException(ErrorCode.ConcurrentTransactions, "The previous transaction's markers are still being written: retry.");
        }

        var isNew = state.State.ProducerId < 0;
        var before = state.State.Copy();
        long? newId = _machine.NeedsNewProducerId ? (await GrainFactory.GetGrain<IProducerIdGrain>(IProducerIdGrain.ClusterKey).InitProducerId()).ProducerId : null;
        _machine.Initialise(transactionTimeoutMs, newId, Now);
        await state.WriteOrRestoreAsync(before, $"the producer of transactional id \"{Id}\"");
        if (isNew)
        {
            await Directory.Report(Id, NextCheck());
        }

        return new ProducerIdentity(state.State.ProducerId, state.State.ProducerEpoch);
    }

    public async Task AddPartitions(ProducerIdentity producer, ImmutableArray<TopicPartition> partitions)
    {
        await RequireProducerAsync(producer);
        var wasOpen = _machine.IsOpen;
        var before = state.State.Copy();
        if (_machine.AddPartitions(partitions, options.Value.MaxPartitionsPerTransaction, Now))
        {
            await PersistAsync(before, wasOpen);
        }
    }

    public async Task AddGroup(ProducerIdentity producer, string groupId)
    {
        await RequireProducerAsync(producer);
        var wasOpen = _machine.IsOpen;
        var before = state.State.Copy();
        if (_machine.AddGroup(groupId, options.Value.MaxGroupsPerTransaction, Now))
        {
            await PersistAsync(before, wasOpen);
        }
    }

    public async Task EndTransaction(ProducerIdentity producer, bool commit)
    {
        if (_machine.CheckProducer(producer) is { } refused)
        {
            // A retried EndTxn of a transaction this coordinator already aborted for its timeout finds a newer epoch.
            throw refused;
        }

        var before = state.State.Copy();
        if (_machine.Prepare(commit, Now))
        {
            _endedBy = "client";
            await state.WriteOrRestoreAsync(before, $"the {(commit ? "commit" : "abort")} of transactional id \"{Id}\"");
        }

        if (_machine.IsPreparing && !await TryCompleteAsync())
        {
            // The decision is durable: the markers are retried until written, and the next transaction waits for them.
            ScheduleRetry();
        }
    }

    public Task<TransactionDescription> Describe()
    {
        var s = state.State;
        return Task.FromResult(new TransactionDescription(Id, s.State, s.ProducerId, s.ProducerEpoch, s.TimeoutMs, s.StartMs, [.. s.Partitions], [.. s.Groups]));
    }

    public Task<bool> IsInTransaction(ProducerIdentity producer, TopicPartition partition) => Task.FromResult(_machine.Holds(producer, partition));

    public Task<bool> IsGroupInTransaction(ProducerIdentity producer, string groupId) => Task.FromResult(_machine.HoldsGroup(producer, groupId));

    public async Task<long?> Sweep()
    {
        if (_machine.Deadline is { } deadline && deadline <= Now)
        {
            await AbortFencedAsync($"it was open longer than its transaction.timeout.ms ({state.State.TimeoutMs} ms)", "timeout");
        }

        if (_machine.IsPreparing && !await TryCompleteAsync())
        {
            ScheduleRetry();
        }

        if (!_machine.IsOpen && !_machine.IsPreparing && state.RecordExists && IdExpiresAt <= Now)
        {
            LogExpired(Id);
            await state.ClearOrRestoreAsync(state.State.Copy(), $"the expiry of transactional id \"{Id}\"");
            _machine.Replace(state.State);
            DeactivateOnIdle();
            return null;
        }

        return NextCheck();
    }

    /// <summary>When the id expires if it stays unused (<c>transactional.id.expiration.ms</c> after its last use).</summary>
    private long IdExpiresAt => state.State.LastUsedMs + (long)options.Value.IdExpiration.TotalMilliseconds;

    private long NextCheck() => _machine.Deadline ?? IdExpiresAt;

    private async Task RequireProducerAsync(ProducerIdentity producer)
    {
        if (_machine.CheckProducer(producer) is { } refused)
        {
            throw refused;
        }

        if (_machine.IsPreparing && !await TryCompleteAsync())
        {
            throw new OrleansLogException(ErrorCode.ConcurrentTransactions, "The previous transaction's markers are still being written: retry.");
        }
    }

    /// <summary>Persists a change of the open transaction; one that began it tells the directory its deadline.</summary>
    private async Task PersistAsync(TransactionCoordinatorState before, bool wasOpen)
    {
        await state.WriteOrRestoreAsync(before, $"the transaction of transactional id \"{Id}\"");
        if (!wasOpen)
        {
            await Directory.Report(Id, NextCheck());
        }
    }

    private async Task AbortFencedAsync(string reason, string cause)
    {
        LogAbortingFenced(Id, state.State.ProducerId, state.State.ProducerEpoch, reason);
        _endedBy = cause;
        var before = state.State.Copy();
        _machine.PrepareFencedAbort(Now);
        await state.WriteOrRestoreAsync(before, $"the abort of transactional id \"{Id}\"");
        if (!await TryCompleteAsync())
        {
            ScheduleRetry();
        }
    }

    /// <summary>Writes the prepared transaction's markers to every partition and ends it in every group; true once all are written.</summary>
    private async Task<bool> TryCompleteAsync()
    {
        var s = state.State;
        var commit = s.State == TransactionState.PrepareCommit;
        var marker = new TransactionMarkerRequest(s.ProducerId, s.ProducerEpoch, commit, s.CoordinatorEpoch, (int)options.Value.MarkerTimeout.TotalMilliseconds);
        var producer = new ProducerIdentity(s.ProducerId, s.ProducerEpoch);
        var deadline = time.GetTimestamp() + (long)(options.Value.MarkerTimeout.TotalSeconds * time.TimestampFrequency);
        var written = await Task.WhenAll(s.Partitions.Select(p => WriteMarkerAsync(p, marker, deadline)));
        if (written.Contains(false))
        {
            return false;
        }

        try
        {
            await Task.WhenAll(s.Groups.Select(g => GrainFactory.GetGrain<IConsumerGroupGrain>(g).CompleteTransaction(producer, commit)));
        }
        catch (Exception e) when (e is OrleansLogException or TimeoutException or OrleansException)
        {
            LogGroupsPending(Id, e.Message);
            return false;
        }

        _machine.Complete();
        metrics.Ended(commit, _endedBy);
        _retry?.Dispose();
        _retry = null;
        LogCompleted(Id, commit ? "committed" : "aborted", s.ProducerId, s.ProducerEpoch);
        await Directory.Report(Id, NextCheck());
        return true;
    }

    private async Task<bool> WriteMarkerAsync(TopicPartition partition, TransactionMarkerRequest marker, long deadline)
    {
        while (true)
        {
            ErrorCode error;
            try
            {
                error = await GrainFactory.GetPartitionGrain(partition.Topic, partition.Partition).WriteTxnMarker(marker);
            }
            catch (Exception e) when (e is OrleansLogException or TimeoutException or OrleansException)
            {
                error = e is OrleansLogException known ? known.Code : ErrorCode.RequestTimedOut;
            }

            switch (error)
            {
                case ErrorCode.None:
                    return true;
                case ErrorCode.UnknownTopicOrPartition:
                    // Deleted since it was added: nothing there to end.
                    return true;
                case ErrorCode.InvalidProducerEpoch or ErrorCode.TransactionCoordinatorFenced:
                    // A newer epoch or coordinator already wrote there: this marker is stale, and so is this activation's view.
                    LogMarkerRefused(Id, partition.ToString(), error);
                    return true;
            }

            if (time.GetTimestamp() >= deadline)
            {
                LogMarkerPending(Id, partition.ToString(), error);
                return false;
            }

            await Task.Delay(options.Value.MarkerRetryBackoff, time);
        }
    }

    private void ScheduleRetry()
    {
        var backoff = options.Value.MarkerRetryBackoff * 10;
        _retry ??= this.RegisterGrainTimer(static grain => grain.RetryCompletion(), this, new GrainTimerCreationOptions(backoff, backoff) { KeepAlive = true });
    }

    private async Task RetryCompletion()
    {
        if (!_machine.IsPreparing || await TryCompleteAsync())
        {
            _retry?.Dispose();
            _retry = null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Transactional id {Id}: aborting the transaction of producer {ProducerId} epoch {Epoch}: {Reason}.")]
    private partial void LogAbortingFenced(string id, long producerId, short epoch, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Transactional id {Id}: {Outcome} the transaction of producer {ProducerId} epoch {Epoch}.")]
    private partial void LogCompleted(string id, string outcome, long producerId, short epoch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Transactional id {Id}: the marker for {Partition} is not written yet ({Error}); retrying.")]
    private partial void LogMarkerPending(string id, string partition, ErrorCode error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Transactional id {Id}: {Partition} refused a marker ({Error}); a newer one was written there.")]
    private partial void LogMarkerRefused(string id, string partition, ErrorCode error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Transactional id {Id}: the groups' offsets are not completed yet ({Reason}); retrying.")]
    private partial void LogGroupsPending(string id, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Transactional id {Id} expired (unused for transactional.id.expiration.ms).")]
    private partial void LogExpired(string id);
}
