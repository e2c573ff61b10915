namespace OrleansLog.Benchmarks.Compare.Drivers;

/// <summary>Where a producer reports each message's outcome; called from the client's own threads.</summary>
public interface IPublishSink
{
    void Acknowledged(long sentTimestamp);

    void Failed(long sentTimestamp, string reason);
}
