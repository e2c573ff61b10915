using OrleansLog.Partitions;

namespace OrleansLog.Kafka.Connections;

/// <summary>
/// Keeps one connection's produces to a partition in the order the client sent them. Orleans does not
/// promise that order: a call whose target address is not cached yet is addressed asynchronously, and a
/// later call that finds the address cached meanwhile overtakes it (seen under load: a producer's first
/// batch stored after later ones). Kafka clients without idempotence rely on that order. So, per
/// partition, a produce goes alone until one has succeeded (its address is then cached and later calls
/// leave at once, in order); after a failure (the leader may have moved) the next goes alone again.
/// Produces waiting behind one go out one after another, in arrival order. Thread-safe.
/// </summary>
public sealed class ProduceOrder
{
    private readonly Dictionary<TopicPartition, PartitionQueue> _partitions = [];

    /// <summary>Calls <paramref name="produce"/> for <paramref name="partition"/> once every earlier produce to it has left (and, while it is cold, completed).</summary>
    public Task<ProduceResponse> Send(TopicPartition partition, Func<Task<ProduceResponse>> produce)
    {
        PartitionQueue queue;
        lock (_partitions)
        {
            if (!_partitions.TryGetValue(partition, out queue!))
            {
                queue = new PartitionQueue();
                _partitions[partition] = queue;
            }
        }

        return queue.Send(produce);
    }

    private sealed class PartitionQueue
    {
        private readonly Lock _lock = new();
        private Task _previousLeft = Task.CompletedTask;
        private bool _warm;

        public Task<ProduceResponse> Send(Func<Task<ProduceResponse>> produce)
        {
            Task previous;
            TaskCompletionSource left;
            lock (_lock)
            {
                if (_warm && _previousLeft.IsCompleted)
                {
                    return Watch(produce());
                }

                previous = _previousLeft;
                left = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _previousLeft = left.Task;
            }

            return SendAfter(previous, left, produce);
        }

        private async Task<ProduceResponse> SendAfter(Task previous, TaskCompletionSource left, Func<Task<ProduceResponse>> produce)
        {
            await previous;
            bool warm;
            lock (_lock)
            {
                warm = _warm;
            }

            var call = produce();
            if (warm)
            {
                left.SetResult();
                return await Watch(call);
            }

            try
            {
                return await Watch(call);
            }
            finally
            {
                left.SetResult();
            }
        }

        private async Task<ProduceResponse> Watch(Task<ProduceResponse> call)
        {
            var response = await call;
            lock (_lock)
            {
                _warm = response.Error == ErrorCode.None;
            }

            return response;
        }
    }
}
