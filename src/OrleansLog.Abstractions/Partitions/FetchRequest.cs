namespace OrleansLog.Partitions;

/// <summary>
/// Read batches from <see cref="Offset"/>: up to <see cref="MaxBytes"/> (but at least one batch, unless
/// <see cref="MinOneBatch"/> is false), waiting up to <see cref="MaxWaitMs"/> until at least
/// <see cref="MinBytes"/> are available. The broker caps <see cref="MaxBytes"/> at its own
/// <c>fetch.max.bytes</c>. With <see cref="IsolationLevel.ReadCommitted"/> it reads below the last stable offset only.
/// <see cref="CallerReturnsBuffer"/> is the promise of a caller in the broker's own silo (the Kafka listener) to dispose
/// the answer once it is done with its batches: they are then read into a pooled array (see <see cref="FetchedBatches"/>).
/// <see cref="PooledUntilWritten"/> is the promise of a caller that reads the answer only as the broker writes it to
/// the caller's connection (the native client; in the broker's own silo the answer is simply the caller's to keep): the
/// batches are then read into a pooled array that goes back to the pool once they are written.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record FetchRequest(
    [property: Id(0)] long Offset,
    [property: Id(1)] int MaxBytes = 1024 * 1024,
    [property: Id(2)] int MinBytes = 1,
    [property: Id(3)] int MaxWaitMs = 500,
    [property: Id(4)] bool MinOneBatch = true,
    [property: Id(5)] IsolationLevel Isolation = IsolationLevel.ReadUncommitted,
    [property: Id(6)] bool CallerReturnsBuffer = false,
    [property: Id(7)] bool PooledUntilWritten = false);
