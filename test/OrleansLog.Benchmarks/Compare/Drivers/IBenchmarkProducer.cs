namespace OrleansLog.Benchmarks.Compare.Drivers;

/// <summary>A producer of one topic. The runner bounds how many messages are unacknowledged at once.</summary>
public interface IBenchmarkProducer : IAsyncDisposable
{
    /// <summary>
    /// Sends one message and later tells <paramref name="sink"/> of its acknowledgement (or failure),
    /// passing <paramref name="sentTimestamp"/> back. <paramref name="payload"/> is the runner's buffer,
    /// reused for the next message: a client that keeps it past this call must copy it.
    /// <paramref name="sequence"/> lets drivers without a partitioner of their own spread messages.
    /// </summary>
    void Send(long sequence, byte[] payload, long sentTimestamp, IPublishSink sink);

    /// <summary>Sends whatever the client still holds back (lingering batches).</summary>
    Task FlushAsync();
}
