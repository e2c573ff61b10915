using OrleansLog.Producers;
using OrleansLog.Server.Persistence;

namespace OrleansLog.Server.Producers;

/// <summary>
/// Allocates producer ids (see <see cref="IProducerIdGrain"/>). Concurrency: not reentrant, so each id
/// is persisted before it is handed out and before the next call runs: no id is ever given twice, even
/// across a crash.
/// </summary>
public sealed class ProducerIdGrain(
    [PersistentState("producer-ids", OrleansLogStorage.Name)] IPersistentState<ProducerIdState> state) : Grain, IProducerIdGrain
{
    public async Task<ProducerIdentity> InitProducerId()
    {
        var id = state.State.NextProducerId;
        state.State.NextProducerId = id + 1;
        await state.WriteStateAsync();
        return new ProducerIdentity(id, 0);
    }
}
