using OrleansLog.Partitions;
using OrleansLog.Producers;
using OrleansLog.Transactions;

namespace OrleansLog.Server.Transactions;

/// <summary>
/// The rules of one transactional id's state (Kafka's TransactionMetadata): which producer may act, which transitions
/// are allowed, and what each changes. It decides and changes <see cref="State"/> only; the coordinator grain persists
/// it and writes markers. Not thread-safe: the grain calls it in its turns.
/// </summary>
public sealed class TransactionMachine(TransactionCoordinatorState state)
{
    public TransactionCoordinatorState State { get; private set; } = state;

    public bool IsOpen => State.State == TransactionState.Ongoing;

    public bool IsPreparing => State.State is TransactionState.PrepareCommit or TransactionState.PrepareAbort;

    /// <summary>When the open transaction times out (Unix ms), or null.</summary>
    public long? Deadline => IsOpen ? State.StartMs + State.TimeoutMs : null;

    public void Replace(TransactionCoordinatorState state) => State = state;

    /// <summary>Null when <paramref name="producer"/> is the id's current producer; otherwise why it may not act.</summary>
    public OrleansLogException? CheckProducer(ProducerIdentity producer)
    {
        if (State.ProducerId < 0 || producer.ProducerId != State.ProducerId)
        {
            return new OrleansLogException(ErrorCode.InvalidProducerIdMapping, $"Producer id {producer.ProducerId} is not the current producer of this transactional id: call InitProducerId.");
        }

        return producer.Epoch != State.ProducerEpoch
            ? new OrleansLogException(ErrorCode.ProducerFenced, $"Producer epoch {producer.Epoch} was fenced: a newer instance holds epoch {State.ProducerEpoch}.")
            : null;
    }

    /// <summary>Starts a new producer epoch (a new producer id when <paramref name="newProducerId"/> is given) with no transaction open.</summary>
    public void Initialise(int timeoutMs, long? newProducerId, long nowMs)
    {
        if (newProducerId is { } id)
        {
            State.ProducerId = id;
            State.ProducerEpoch = 0;
        }
        else
        {
            State.ProducerEpoch++;
        }

        State.TimeoutMs = timeoutMs;
        State.State = TransactionState.Empty;
        State.Partitions.Clear();
        State.Groups.Clear();
        State.StartMs = 0;
        State.LastUsedMs = nowMs;
    }

    /// <summary>Whether the next epoch needs a new producer id (the epoch would overflow), as Kafka does.</summary>
    public bool NeedsNewProducerId => State.ProducerId < 0 || State.ProducerEpoch >= short.MaxValue - 1;

    /// <summary>Adds partitions (and begins a transaction if none is open); true when anything changed.</summary>
    public bool AddPartitions(IEnumerable<TopicPartition> partitions, int maxPartitions, long nowMs)
    {
        var changed = Begin(nowMs);
        foreach (var partition in partitions)
        {
            if (!State.Partitions.Contains(partition))
            {
                if (State.Partitions.Count >= maxPartitions)
                {
                    throw new OrleansLogException(ErrorCode.InvalidRequest, $"A transaction may write to at most {maxPartitions} partitions (OrleansLog:Transactions:MaxPartitionsPerTransaction).");
                }

                State.Partitions.Add(partition);
                changed = true;
            }
        }

        return changed;
    }

    /// <summary>Adds a consumer group (and begins a transaction if none is open); true when anything changed.</summary>
    public bool AddGroup(string groupId, int maxGroups, long nowMs)
    {
        var changed = Begin(nowMs);
        if (!State.Groups.Contains(groupId))
        {
            if (State.Groups.Count >= maxGroups)
            {
                throw new OrleansLogException(ErrorCode.InvalidRequest, $"A transaction may commit offsets to at most {maxGroups} groups (OrleansLog:Transactions:MaxGroupsPerTransaction).");
            }

            State.Groups.Add(groupId);
            changed = true;
        }

        return changed;
    }

    /// <summary>
    /// Decides the end of the open transaction: true when the decision must be made durable and markers written; false
    /// when it already ended the same way (a retried EndTxn). INVALID_TXN_STATE for the opposite end of an ended one.
    /// </summary>
    public bool Prepare(bool commit, long nowMs)
    {
        var target = commit ? TransactionState.PrepareCommit : TransactionState.PrepareAbort;
        switch (State.State)
        {
            case TransactionState.Ongoing:
                State.State = target;
                State.LastUsedMs = nowMs;
                return true;
            case var same when same == target || same == (commit ? TransactionState.CompleteCommit : TransactionState.CompleteAbort):
                return false;
            case TransactionState.Empty when !commit:
                // Aborting with nothing begun: nothing to undo.
                return false;
            default:
                throw new OrleansLogException(ErrorCode.InvalidTxnState, $"Cannot {(commit ? "commit" : "abort")} a transaction in state {State.State}.");
        }
    }

    /// <summary>Fences the current producer for an abort the coordinator decides (timeout, or a new instance): the markers carry the new epoch.</summary>
    public void PrepareFencedAbort(long nowMs)
    {
        State.ProducerEpoch++;
        State.State = TransactionState.PrepareAbort;
        State.LastUsedMs = nowMs;
    }

    /// <summary>The markers of a prepared transaction are written: it is complete.</summary>
    public void Complete()
    {
        State.State = State.State == TransactionState.PrepareCommit ? TransactionState.CompleteCommit : TransactionState.CompleteAbort;
        State.Partitions.Clear();
        State.Groups.Clear();
        State.StartMs = 0;
    }

    public bool Holds(ProducerIdentity producer, TopicPartition partition) =>
        IsOpen && CheckProducer(producer) is null && State.Partitions.Contains(partition);

    public bool HoldsGroup(ProducerIdentity producer, string groupId) =>
        IsOpen && CheckProducer(producer) is null && State.Groups.Contains(groupId);

    private bool Begin(long nowMs)
    {
        switch (State.State)
        {
            case TransactionState.Ongoing:
                return false;
            case TransactionState.PrepareCommit or TransactionState.PrepareAbort:
                throw new OrleansLogException(ErrorCode.ConcurrentTransactions, "The previous transaction is still completing: retry.");
            default:
                State.State = TransactionState.Ongoing;
                State.StartMs = nowMs;
                State.LastUsedMs = nowMs;
                State.Partitions.Clear();
                State.Groups.Clear();
                return true;
        }
    }
}
