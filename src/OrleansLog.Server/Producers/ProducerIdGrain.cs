using OrleansLog.Producers;
using OrleansLog.Server.Persistence;

namespace OrleansLog.Server.Producers;

/// <summary>
/// Allocates producer ids (see <see cref="IProducerIdGrain"/>) from blocks, as Kafka's controller does:
/// the end of a block is persisted before any id of it is handed out, so no id is ever given twice, even
/// across a crash (a reactivation skips the rest of its block). One write per block instead of one per
/// producer also lets new producers start while the state store is briefly away. Concurrency: not
/// reentrant, so a block is reserved once and ids are handed out one at a time.
/// </summary>
public sealed class ProducerIdGrain(
    [PersistentState("producer-ids", OrleansLogStorage.Name)] IPersistentState<ProducerIdState> state) : Grain, IProducerIdGrain
{
    /// <summary>Kafka's producer id block size.</summary>
    internal const long BlockSize = 1000;

    private long _next;
    private long _blockEnd;

    public async Task<ProducerIdentity> InitProducerId()
    {
        if (_next >= _blockEnd)
        {
            var start = state.State.NextProducerId;
            state.State.NextProducerId = start + BlockSize;
            await state.WriteOrRestoreAsync(new ProducerIdState { NextProducerId = start }, "a new block of producer ids");
            (_next, _blockEnd) = (start, start + BlockSize);
        }

        return new ProducerIdentity(_next++, 0);
    }

    public Task<long> AllocatedUpTo() => Task.FromResult(state.State.NextProducerId);
}
