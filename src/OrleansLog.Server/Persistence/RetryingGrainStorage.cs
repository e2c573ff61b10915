using Orleans.Storage;

namespace OrleansLog.Server.Persistence;

/// <summary>
/// Wraps a database grain storage for the broker's grains. A failed call is tried again twice after a short
/// pause: after a database restart the first use of each pooled connection fails, and one retry gets a
/// fresh one. A retried write is safe: the version tag refuses it if the first attempt did land
/// (<see cref="InconsistentStateException"/> is never retried). What still fails becomes
/// KAFKA_STORAGE_ERROR, an exception every caller can receive, instead of the driver's own exception, which
/// Orleans cannot carry back to a client.
/// </summary>
public sealed class RetryingGrainStorage(IGrainStorage inner, TimeProvider time) : IGrainStorage
{
    private static readonly TimeSpan[] Pauses = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(400)];

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Run(() => inner.ReadStateAsync(stateName, grainId, grainState), "read", stateName, grainId);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Run(() => inner.WriteStateAsync(stateName, grainId, grainState), "write", stateName, grainId);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Run(() => inner.ClearStateAsync(stateName, grainId, grainState), "clear", stateName, grainId);

    private async Task Run(Func<Task> call, string what, string stateName, GrainId grainId)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await call();
                return;
            }
            catch (Exception e) when (e is not InconsistentStateException and not OrleansLogException)
            {
                if (attempt < Pauses.Length)
                {
                    await Task.Delay(Pauses[attempt], time);
                    continue;
                }

                throw new OrleansLogException(ErrorCode.KafkaStorageError,
                    $"The cluster's state store could not {what} the state \"{stateName}\" of {grainId}: {StoreFailure.Cause(e)}");
            }
        }
    }
}
