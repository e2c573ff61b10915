namespace OrleansLog.Server.Persistence;

/// <summary>
/// Persists a grain's state change all or nothing. When the state store refuses or cannot be reached
/// (PostgreSQL down, a write that raced another activation), the grain goes back to the state it had
/// before the change, so it never serves what was not saved, and the caller gets KAFKA_STORAGE_ERROR
/// (retriable) naming the cause. After a failure the state is re-read where the store answers: a write
/// that did land but whose answer was lost leaves a stale version tag that would refuse every later write.
/// </summary>
public static class StateWrite
{
    /// <summary>Writes the current state; on failure restores <paramref name="before"/> (a copy taken before the change) and throws.</summary>
    public static Task WriteOrRestoreAsync<T>(this IPersistentState<T> state, T before, string change) =>
        PersistOrRestoreAsync(state, before, change, static s => s.WriteStateAsync());

    /// <summary>Clears the stored state; on failure restores <paramref name="before"/> and throws.</summary>
    public static Task ClearOrRestoreAsync<T>(this IPersistentState<T> state, T before, string change) =>
        PersistOrRestoreAsync(state, before, change, static s => s.ClearStateAsync());

    private static async Task PersistOrRestoreAsync<T>(IPersistentState<T> state, T before, string change, Func<IPersistentState<T>, Task> persist)
    {
        try
        {
            await persist(state);
        }
        catch (Exception e)
        {
            // Every failure here is the store's (a retrying store reports it as KAFKA_STORAGE_ERROR itself,
            // and Orleans may or may not wrap it): the change is undone either way.
            state.State = before;
            try
            {
                await state.ReadStateAsync();
            }
            catch (Exception)
            {
                // Still unreachable: the restored copy stands, and the next failed write re-reads again.
            }

            throw new OrleansLogException(ErrorCode.KafkaStorageError,
                $"The cluster's state store did not save {change}, so nothing was changed; try again once it is back ({StoreFailure.Cause(e)}).");
        }
    }
}
