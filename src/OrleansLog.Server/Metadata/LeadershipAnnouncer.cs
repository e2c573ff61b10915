using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using OrleansLog.Metadata;
using OrleansLog.Replication;
using OrleansLog.Server.Replication;

namespace OrleansLog.Server.Metadata;

/// <summary>
/// Tells brokers what the coordinator changed, one batch per broker at a time (<see cref="IReplicaManagerGrain"/>), again
/// and again until the broker answered or is no longer alive: Kafka's controller sending LeaderAndIsr and UpdateMetadata
/// to each broker. Changes that come while a batch is out wait for the next one, merged by topic, and every batch carries
/// each topic as the coordinator holds it when the batch leaves, so a later change supersedes an earlier one. A broker's
/// restart in a cluster of 30,000 partitions is a few calls per broker here, where one call per replica activated every
/// partition and follower grain of the cluster.
/// <para>
/// Concurrency: not thread-safe. Used from the coordinator's turns only; the sending loops start from a turn and run
/// between turns on the grain's scheduler, so every state change happens in a synchronous stretch between awaits.
/// </para>
/// </summary>
public sealed partial class LeadershipAnnouncer(
    Func<int, ImmutableArray<LeadershipNotice>, Task> send,
    Func<IReadOnlySet<int>> liveBrokers,
    Func<string, TopicDescription?> currentTopic,
    TimeProvider time,
    ILogger logger)
{
    /// <summary>The most topics one batch carries; the rest wait for the next.</summary>
    public const int MaxTopicsPerBatch = 2_000;

    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan InitialBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);

    private readonly Dictionary<int, Outbox> _outboxes = [];
    private bool _stopped;

    /// <summary>Changes waiting for a broker, or out in a batch not yet answered (for tests and diagnostics).</summary>
    public int Pending => _outboxes.Values.Sum(o => o.Waiting.Count + o.InFlight);

    /// <summary>
    /// Announces that <paramref name="partitions"/> of <paramref name="topic"/> changed: to every live replica when
    /// <paramref name="toFollowers"/> (a new leader epoch or ISR), else to the leader only (a config change, or a leader
    /// that must catch a returning follower up). <paramref name="wakeLeader"/> asks the leader's broker to start a leader
    /// that is not running. Completes when every broker told answered, or died, or the announcer stopped.
    /// </summary>
    public Task Announce(TopicDescription topic, IEnumerable<int> partitions, bool toFollowers, bool wakeLeader)
    {
        var live = liveBrokers();
        var byBroker = new Dictionary<int, List<int>>();
        foreach (var index in partitions)
        {
            var leadership = topic.Partitions[index];
            IEnumerable<int> recipients = toFollowers ? leadership.Replicas : leadership.IsOnline ? [leadership.Leader] : [];
            foreach (var recipient in recipients.Where(live.Contains))
            {
                if (!byBroker.TryGetValue(recipient, out var list))
                {
                    byBroker[recipient] = list = [];
                }

                list.Add(index);
            }
        }

        var heard = new List<Task>();
        foreach (var (recipient, indexes) in byBroker)
        {
            if (!_outboxes.TryGetValue(recipient, out var outbox))
            {
                _outboxes[recipient] = outbox = new Outbox();
            }

            heard.Add(outbox.Add(topic.Name, indexes, wakeLeader));
            if (!outbox.Sending)
            {
                outbox.Sending = true;
                _ = Send(recipient, outbox);
            }
        }

        return Task.WhenAll(heard);
    }

    /// <summary>Stops every loop; their waiters complete (a later coordinator activation announces what is current again).</summary>
    public void Stop()
    {
        _stopped = true;
        foreach (var outbox in _outboxes.Values)
        {
            outbox.DropAll();
        }
    }

    private async Task Send(int recipient, Outbox outbox)
    {
        var backoff = new RetryBackoff(InitialBackoff, MaxBackoff);
        try
        {
            while (!_stopped && outbox.Waiting.Count > 0)
            {
                if (!liveBrokers().Contains(recipient))
                {
                    // It learns the current state from its leaders' reconciles and its own calls when it returns.
                    outbox.DropAll();
                    return;
                }

                var batch = outbox.Take(MaxTopicsPerBatch);
                var notices = batch
                    .Select(entry => currentTopic(entry.Topic) is { } current
                        ? new LeadershipNotice(current, [.. entry.Partitions.Where(p => p < current.PartitionCount).Order()], [.. entry.Wake.Where(p => p < current.PartitionCount).Order()])
                        : null)
                    .OfType<LeadershipNotice>()
                    .ToImmutableArray();
                try
                {
                    if (notices.Length > 0)
                    {
                        await send(recipient, notices).WaitAsync(CallTimeout, time);
                    }

                    outbox.Answered(batch);
                    backoff.Succeeded();
                }
                catch (Exception e)
                {
                    outbox.Failed(batch);
                    var wait = backoff.Failed();
                    LogSendFailed(recipient, batch.Count, e.Message, wait.TotalMilliseconds);
                    await Task.Delay(wait, time);
                }
            }
        }
        finally
        {
            outbox.Sending = false;
            if (_stopped)
            {
                outbox.DropAll();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broker {Broker} did not take a batch of leadership changes of {Topics} topic(s) ({Message}); sending again in {WaitMs} ms.")]
    private partial void LogSendFailed(int broker, int topics, string message, double waitMs);

    /// <summary>One broker's changes: waiting by topic, and how many went out in the batch not yet answered.</summary>
    private sealed class Outbox
    {
        public Dictionary<string, Entry> Waiting { get; } = new(StringComparer.Ordinal);

        public int InFlight { get; private set; }

        public bool Sending { get; set; }

        public Task Add(string topic, IEnumerable<int> partitions, bool wake)
        {
            if (!Waiting.TryGetValue(topic, out var entry))
            {
                Waiting[topic] = entry = new Entry(topic);
            }

            foreach (var partition in partitions)
            {
                entry.Partitions.Add(partition);
                if (wake)
                {
                    entry.Wake.Add(partition);
                }
            }

            var heard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            entry.Heard.Add(heard);
            return heard.Task;
        }

        public List<Entry> Take(int max)
        {
            var batch = Waiting.Values.Take(max).ToList();
            foreach (var entry in batch)
            {
                Waiting.Remove(entry.Topic);
            }

            InFlight = batch.Count;
            return batch;
        }

        public void Answered(List<Entry> batch)
        {
            InFlight = 0;
            foreach (var heard in batch.SelectMany(e => e.Heard))
            {
                heard.TrySetResult();
            }
        }

        /// <summary>Puts a batch back, merged with what came for the same topics meanwhile.</summary>
        public void Failed(List<Entry> batch)
        {
            InFlight = 0;
            foreach (var entry in batch)
            {
                if (Waiting.TryGetValue(entry.Topic, out var newer))
                {
                    newer.Partitions.UnionWith(entry.Partitions);
                    newer.Wake.UnionWith(entry.Wake);
                    newer.Heard.AddRange(entry.Heard);
                }
                else
                {
                    Waiting[entry.Topic] = entry;
                }
            }
        }

        public void DropAll()
        {
            foreach (var heard in Waiting.Values.SelectMany(e => e.Heard))
            {
                heard.TrySetResult();
            }

            Waiting.Clear();
        }
    }

    /// <summary>One topic's changed partitions for one broker, and the callers waiting for the broker to hear them.</summary>
    private sealed class Entry(string topic)
    {
        public string Topic { get; } = topic;

        public HashSet<int> Partitions { get; } = [];

        /// <summary>The partitions whose leader the broker should start if it is not running.</summary>
        public HashSet<int> Wake { get; } = [];

        public List<TaskCompletionSource> Heard { get; } = [];
    }
}
