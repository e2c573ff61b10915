namespace OrleansLog.Benchmarks.Compare.Drivers;

/// <summary>A member of a subscription (consumer group) that reads until stopped.</summary>
public interface IBenchmarkConsumer : IAsyncDisposable
{
    /// <summary>Completes once the consumer holds its partitions (a group has assigned them), so measuring can start.</summary>
    Task Ready { get; }

    /// <summary>
    /// Reads until <paramref name="stopping"/>, calling <paramref name="received"/> with the send time the
    /// runner wrote into the first 8 bytes of each message (little-endian <see cref="System.Diagnostics.Stopwatch"/> ticks).
    /// </summary>
    Task RunAsync(Action<long> received, CancellationToken stopping);
}
