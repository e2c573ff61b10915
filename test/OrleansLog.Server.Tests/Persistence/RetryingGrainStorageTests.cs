using Microsoft.Extensions.Time.Testing;
using Orleans.Storage;
using OrleansLog.Server.Persistence;

namespace OrleansLog.Server.Tests.Persistence;

public class RetryingGrainStorageTests
{
    private static readonly GrainId Grain = GrainId.Create("metadata", "cluster");

    [Fact]
    public async Task A_call_that_fails_twice_then_works_succeeds()
    {
        var inner = new FlakyStorage(failures: 2, () => new InvalidOperationException("connection was terminated"));
        await WithTime(inner, storage => storage.WriteStateAsync("metadata", Grain, new GrainState<int>()));
        Assert.Equal(3, inner.Calls);
    }

    [Fact]
    public async Task A_store_that_stays_down_is_kafka_storage_error_naming_the_cause()
    {
        var inner = new FlakyStorage(failures: int.MaxValue, () => new InvalidOperationException("outer", new InvalidOperationException("Failed to connect to 127.0.0.1:5432")));
        var error = await Assert.ThrowsAsync<OrleansLogException>(() => WithTime(inner, storage => storage.ReadStateAsync("metadata", Grain, new GrainState<int>())));
        Assert.Equal(ErrorCode.KafkaStorageError, error.Code);
        Assert.Contains("could not read the state \"metadata\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("Failed to connect to 127.0.0.1:5432", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, inner.Calls);
    }

    [Fact]
    public async Task A_stale_version_is_not_retried()
    {
        var inner = new FlakyStorage(failures: int.MaxValue, () => new InconsistentStateException("version changed"));
        await Assert.ThrowsAsync<InconsistentStateException>(() => WithTime(inner, storage => storage.ClearStateAsync("metadata", Grain, new GrainState<int>())));
        Assert.Equal(1, inner.Calls);
    }

    /// <summary>Runs a call with its pauses on a fake clock that the test moves on until the call ends.</summary>
    private static async Task WithTime(IGrainStorage inner, Func<RetryingGrainStorage, Task> call)
    {
        var time = new FakeTimeProvider();
        var running = call(new RetryingGrainStorage(inner, time));
        while (!running.IsCompleted)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Yield();
        }

        await running;
    }

    private sealed class FlakyStorage(int failures, Func<Exception> failure) : IGrainStorage
    {
        public int Calls { get; private set; }

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Call();

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Call();

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Call();

        private Task Call() => ++Calls <= failures ? Task.FromException(failure()) : Task.CompletedTask;
    }
}
