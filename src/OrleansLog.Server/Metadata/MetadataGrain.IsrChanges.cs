using System.Collections.Immutable;
using OrleansLog.Metadata;

namespace OrleansLog.Server.Metadata;

/// <summary>The coordinator's ISR changes: one leader's (<see cref="AlterIsr"/>) or a silo's batch of them (<see cref="AlterIsrs"/>).</summary>
public sealed partial class MetadataGrain
{
    public async Task<PartitionLeadership> AlterIsr(string topic, int partition, int leaderEpoch, int partitionEpoch, ImmutableArray<int> isr)
    {
        var (description, current, altered) = CheckIsrChange(new IsrChange(topic, partition, leaderEpoch, partitionEpoch, isr), ElectableBrokers());
        return altered is null ? current : (await Save(description, [altered])).Partitions[partition];
    }

    public async Task<ImmutableArray<IsrChangeResult>> AlterIsrs(ImmutableArray<IsrChange> changes)
    {
        var live = ElectableBrokers();
        var results = new IsrChangeResult[changes.Length];
        var byTopic = new Dictionary<string, (TopicDescription Description, List<PartitionLeadership> Altered, List<int> Indexes)>(StringComparer.Ordinal);
        for (var i = 0; i < changes.Length; i++)
        {
            try
            {
                var (description, current, altered) = CheckIsrChange(changes[i], live);
                if (altered is null || byTopic.TryGetValue(description.Name, out var seen) && seen.Altered.Any(a => a.Partition == altered.Partition))
                {
                    // Unchanged (or a second change of one partition in the batch, which its epoch check would refuse after the first).
                    results[i] = altered is null ? new IsrChangeResult(current, ErrorCode.None, null) : new IsrChangeResult(null, ErrorCode.InvalidUpdateVersion, $"{description.Name}-{altered.Partition} changed twice in one batch; refresh and decide again.");
                    continue;
                }

                if (!byTopic.TryGetValue(description.Name, out var entry))
                {
                    byTopic[description.Name] = entry = (description, [], []);
                }

                entry.Altered.Add(altered);
                entry.Indexes.Add(i);
            }
            catch (OrleansLogException e)
            {
                results[i] = new IsrChangeResult(null, e.Code, e.Message);
            }
        }

        var saved = byTopic.Values.Select(t => WithChanges(t.Description, t.Altered)).ToList();
        var failures = await _topics.WriteAsync(saved, []);
        foreach (var topic in saved)
        {
            var (_, altered, indexes) = byTopic[topic.Name];
            var failure = failures.GetValueOrDefault(topic.Name);
            for (var j = 0; j < altered.Count; j++)
            {
                results[indexes[j]] = failure is null
                    ? new IsrChangeResult(topic.Partitions[altered[j].Partition], ErrorCode.None, null)
                    : new IsrChangeResult(null, ErrorCode.KafkaStorageError, $"The ISR change of {topic.Name}-{altered[j].Partition} could not be saved: {failure.Message}");
            }

            if (failure is null)
            {
                NotifyTopicGrain(topic);
            }
        }

        return [.. results];
    }

    /// <summary>
    /// Checks one ISR change against the current state (as <see cref="IMetadataGrain.AlterIsr"/> documents) and
    /// returns the topic, the partition's current state, and its altered state (null when the ISR stays as it is).
    /// </summary>
    private (TopicDescription Description, PartitionLeadership Current, PartitionLeadership? Altered) CheckIsrChange(IsrChange change, HashSet<int> live)
    {
        var (topic, partition, leaderEpoch, partitionEpoch, isr) = change;
        var description = Require(topic);
        if (partition < 0 || partition >= description.PartitionCount)
        {
            throw new OrleansLogException(ErrorCode.UnknownTopicOrPartition, $"Partition {partition} of topic \"{topic}\" does not exist.");
        }

        var current = description.Partitions[partition];
        if (leaderEpoch != current.LeaderEpoch || !current.IsOnline)
        {
            throw new OrleansLogException(ErrorCode.FencedLeaderEpoch, $"Leader epoch {leaderEpoch} of {topic}-{partition} is not current (epoch {current.LeaderEpoch}, leader {current.Leader}).");
        }

        if (partitionEpoch != current.PartitionEpoch)
        {
            throw new OrleansLogException(ErrorCode.InvalidUpdateVersion, $"The ISR change of {topic}-{partition} was computed from partition epoch {partitionEpoch}; it is {current.PartitionEpoch} (ISR [{string.Join(", ", current.Isr)}]).");
        }

        if (!isr.Contains(current.Leader) || isr.Any(b => !current.Replicas.Contains(b)) || isr.Distinct().Count() != isr.Length)
        {
            throw new OrleansLogException(ErrorCode.InvalidRequest, $"ISR [{string.Join(", ", isr)}] of {topic}-{partition} must hold the leader {current.Leader} and only replicas [{string.Join(", ", current.Replicas)}].");
        }

        // A broker that died (or is stopping) meanwhile does not come back into the ISR on a stale report.
        var altered = current with { Isr = [.. current.Replicas.Where(r => isr.Contains(r) && (live.Contains(r) || current.Isr.Contains(r)))] };
        if (altered.Isr.SequenceEqual(current.Isr))
        {
            return (description, current, null);
        }

        LogIsrChanged(topic, partition, current.Isr, altered.Isr, leaderEpoch);
        return (description, current, altered);
    }
}
