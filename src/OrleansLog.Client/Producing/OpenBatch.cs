using OrleansLog.Partitions;
using OrleansLog.Records;

namespace OrleansLog.Client.Producing;

/// <summary>Records of one partition waiting to be sent as one batch, with their delivery handles and reserved bytes.</summary>
internal sealed class OpenBatch(RecordBatchBuilder builder, long createdAt)
{
    public RecordBatchBuilder Builder { get; } = builder;

    public List<(IDeliveryHandle Handle, long Timestamp)> Deliveries { get; } = [];

    /// <summary>When the first record was added (<see cref="TimeProvider.GetTimestamp"/>): linger and delivery timeout count from here.</summary>
    public long CreatedAt { get; } = createdAt;

    public int ReservedBytes { get; set; }

    /// <summary>Another record like the last would not fit in <c>batch.size</c>: send without waiting for the linger.</summary>
    public bool Full { get; set; }

    /// <summary>Send without waiting for the linger (a flush or close asked).</summary>
    public bool SendNow { get; set; }

    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Reports every record of the batch as failed.</summary>
    public void Fail(TopicPartition partition, ErrorCode error, string message)
    {
        foreach (var (handle, timestamp) in Deliveries)
        {
            handle.Fail(partition, timestamp, error, message);
        }
    }
}
