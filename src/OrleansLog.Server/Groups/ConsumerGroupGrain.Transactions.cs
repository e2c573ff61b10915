using OrleansLog.Groups;
using OrleansLog.Producers;
using OrleansLog.Server.Persistence;
using OrleansLog.Transactions;

namespace OrleansLog.Server.Groups;

/// <summary>Offsets committed inside transactions: kept pending per producer until the transaction's coordinator ends it.</summary>
public sealed partial class ConsumerGroupGrain
{
    public async Task<CommitOffsetsResponse> CommitTransactionalOffsets(string transactionalId, ProducerIdentity producer, CommitOffsetsRequest request)
    {
        if (request.MemberId is { Length: > 0 } && !_classic.IsEmpty && _classic.ValidateCommit(request.MemberId, request.Generation, time.GetUtcNow()) is { } refusal)
        {
            return new CommitOffsetsResponse(refusal.Error, refusal.Message);
        }

        // The coordinator's check interleaves with its own work, so it answers even while it waits on this group.
        if (!await GrainFactory.GetGrain<ITransactionCoordinatorGrain>(transactionalId).IsGroupInTransaction(producer, Id))
        {
            return new CommitOffsetsResponse(ErrorCode.InvalidTxnState, $"Group \"{Id}\" is not in an open transaction of producer {producer.ProducerId} epoch {producer.Epoch}: add it with AddOffsetsToTxn first.");
        }

        await RefreshTopics(request.Offsets.Select(o => o.Partition.Topic).Where(t => !_topics.ContainsKey(t)));
        if (CheckOffsets(request.Offsets) is { } problem)
        {
            return new CommitOffsetsResponse(problem.Error, problem.Message);
        }

        var before = copier.Copy(state.State);
        if (!state.State.Pending.TryGetValue(producer.ProducerId, out var pending))
        {
            pending = [];
            state.State.Pending[producer.ProducerId] = pending;
        }

        foreach (var offset in request.Offsets)
        {
            pending.RemoveAll(p => p.Partition == offset.Partition);
            pending.Add(offset);
        }

        await state.WriteOrRestoreAsync(before, $"the transactional offsets of group \"{Id}\"");
        return CommitOffsetsResponse.Success;
    }

    public async Task CompleteTransaction(ProducerIdentity producer, bool commit)
    {
        if (!state.State.Pending.TryGetValue(producer.ProducerId, out var pending))
        {
            return;
        }

        var before = copier.Copy(state.State);
        state.State.Pending.Remove(producer.ProducerId);
        if (commit)
        {
            // A topic deleted since the commit is skipped, as a plain commit to it would be refused.
            await RefreshTopics(pending.Select(o => o.Partition.Topic).Where(t => !_topics.ContainsKey(t)));
            Apply(pending.Where(o => _topics.ContainsKey(o.Partition.Topic)));
        }

        await state.WriteOrRestoreAsync(before, $"the end of a transaction in group \"{Id}\"");
        if (commit)
        {
            await EnsureRegistered();
        }
    }
}
