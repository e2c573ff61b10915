using System.Collections.Concurrent;
using Confluent.Kafka;

namespace OrleansLog.Kafka.Tests;

/// <summary>
/// A Confluent.Kafka consumer in a group, polled on its own thread (the client is not thread-safe),
/// committing each record after reading it. What it read and what it holds are readable from the test.
/// </summary>
public sealed class ConfluentGroupMember : IAsyncDisposable
{
    private readonly IConsumer<string, string> _consumer;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _polling;
    private volatile IReadOnlyList<TopicPartition> _assignment = [];

    public ConfluentGroupMember(string bootstrap, string group, string topic)
    {
        _consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = group,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            SessionTimeoutMs = 10_000,
            HeartbeatIntervalMs = 500,
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.Range,
        })
            .SetPartitionsAssignedHandler((_, partitions) => _assignment = [.. partitions])
            .SetPartitionsRevokedHandler((_, _) => _assignment = [])
            .SetPartitionsLostHandler((_, _) => _assignment = [])
            .Build();
        _consumer.Subscribe(topic);
        _polling = Task.Factory.StartNew(Poll, TaskCreationOptions.LongRunning);
    }

    public ConcurrentQueue<string> Values { get; } = new();

    public IReadOnlyList<TopicPartition> Assignment => _assignment;

    /// <summary>Leaves the group (LeaveGroup, after committing) and stops.</summary>
    public async Task CloseAsync()
    {
        _stop.Cancel();
        await _polling;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await CloseAsync();
        }

        _consumer.Dispose();
    }

    private void Poll()
    {
        while (!_stop.IsCancellationRequested)
        {
            if (_consumer.Consume(TimeSpan.FromMilliseconds(100)) is { IsPartitionEOF: false } result)
            {
                Values.Enqueue(result.Message.Value);
                _consumer.Commit(result);
            }
        }

        _consumer.Close();
    }
}
