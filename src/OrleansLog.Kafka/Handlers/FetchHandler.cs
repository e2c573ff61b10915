using Microsoft.Extensions.Options;
using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Security;
using OrleansLog.Partitions;
using OrleansLog.Security;
using OrleansLog.Server.Partitions;

namespace OrleansLog.Kafka.Handlers;

/// <summary>
/// Fetch (key 4-11, sessionless: every response carries session id 0, so clients send full fetches).
/// <para>
/// The budget is the request's <c>max_bytes</c> capped by the broker's <c>fetch.max.bytes</c>, and it bounds
/// the reads, not just the answer: partitions are read in the request's order, in waves whose combined
/// limits fit in what is left, each partition at most its <c>partition_max_bytes</c> and what is left of the
/// budget. Only the first non-empty partition may return one whole batch beyond its limits (Kafka's rule,
/// so a consumer can always make progress); a partition read after the budget is spent still answers with
/// its offsets. A partition named twice is answered once, at its first place, with its last values (as
/// Kafka's broker keeps them).
/// </para>
/// <para>
/// If the first reading yields fewer than <c>min_bytes</c>, the partitions that had nothing long-poll
/// their leaders for what is left of <c>max_wait_ms</c> (each within what is left of the budget), and the
/// response goes as soon as one of them has data. Batches are returned as stored. A read_committed fetch reads below
/// each partition's last stable offset and gets the aborted transactions of what it read (the client skips those
/// producers' batches until their abort markers, and every control batch).
/// </para>
/// </summary>
internal sealed class FetchHandler(KafkaListenerContext context, IOptions<FetchOptions> options) : IKafkaHandler
{
    /// <summary>The fewest bytes a partition takes in a Fetch request (index, offset, max bytes): what a stated count is checked against.</summary>
    private const int MinPartitionBytes = 16;

    public ApiKey Key => ApiKey.Fetch;

    public async Task<KafkaWriter?> HandleAsync(KafkaRequest request)
    {
        var fetch = Read(request);
        var started = context.Time.GetTimestamp();
        var budget = new FetchBudget(Math.Min(fetch.MaxBytes, options.Value.FetchMaxBytes));
        var partitions = fetch.Topics.SelectMany(t => t.Partitions).ToList();
        foreach (var refused in partitions.Where(p => !context.AllowsTopic(request, AclOperation.Read, p.Topic)))
        {
            refused.Result = new FetchResponse(ErrorCode.TopicAuthorizationFailed, FetchedBatches.Empty, -1, -1, refused.Offset, KafkaAccess.TopicRefusal(request, AclOperation.Read, refused.Topic));
        }

        List<FetchPartition> readable = [.. partitions.Where(p => p.Result is null)];
        if (fetch.MaxWaitMs > 0 && fetch.MinBytes > 0 && FitInOneWave(readable, budget))
        {
            request.Waited = await PollAll(readable, fetch, budget, request.ParkedPolls);
            await GiveOneWholeBatch(readable, budget);
            return Write(request, fetch, budget.Limit);
        }

        // This fetch takes over no parked poll: they are stopped.
        request.ParkedPolls?.StopAll();
        await ReadInWaves(readable, budget);

        var remaining = fetch.MaxWaitMs - (int)context.Time.GetElapsedTime(started).TotalMilliseconds;
        // As Kafka's brokers do, an error is answered at once: the client needs it more than a wait.
        if (budget.Used < fetch.MinBytes && remaining > 0 && budget.Remaining > 0 && partitions.TrueForAll(p => p.Result!.Error == ErrorCode.None))
        {
            var polling = context.Time.GetTimestamp();
            await LongPoll([.. partitions.Where(p => p.Result!.Records.IsEmpty && p.Result.ReadableEnd(fetch.Isolation) <= p.Offset)], remaining, fetch.Isolation, budget);
            request.Waited = context.Time.GetElapsedTime(polling);
        }

        return Write(request, fetch, budget.Limit);
    }

    /// <summary>Whether every partition's limit fits in the budget together: one wave reads them all.</summary>
    private static bool FitInOneWave(List<FetchPartition> partitions, FetchBudget budget)
    {
        long reserved = 0;
        foreach (var partition in partitions)
        {
            reserved += budget.LimitFor(partition.MaxBytes);
        }

        return partitions.Count > 0 && reserved <= budget.Remaining;
    }

    /// <summary>
    /// One call per partition with the long poll inside it (the common fetch, whose partitions fit in the budget
    /// together): each leader answers at once when it has data (or a batch too large for its limit) and waits
    /// otherwise. Once the answers hold <c>min_bytes</c>, or one is an error or such a batch, the polls still waiting
    /// are parked for the connection's next fetch (see <see cref="ParkedPolls"/>), or told to stop waiting and answer at
    /// once with their offsets (see <see cref="StoppablePoll"/>), so an empty partition costs at most one call a fetch,
    /// and none while it stays empty. Returns how long the fetch only waited.
    /// </summary>
    private Task<TimeSpan> PollAll(List<FetchPartition> partitions, FetchRequestData fetch, FetchBudget budget, ParkedPolls? parked) =>
        PollTogether(partitions, fetch.MinBytes, fetch.MaxWaitMs, fetch.Isolation, budget, wholeBatch: i => i == 0, parked);

    /// <summary>
    /// Polls <paramref name="partitions"/> at once, each with the long wait inside its grain, until the answers hold
    /// <paramref name="minBytes"/> (see <see cref="PollProgress"/>); then each poll still waiting is parked in
    /// <paramref name="parked"/> or told to stop, so none is left waiting in its grain for a fetch that has answered
    /// and nobody to take it over. A poll taken over from an earlier fetch began waiting then: if its wait runs out
    /// before this fetch ends, its partition is asked again for what is left of this one's. Each answer is counted by
    /// one continuation, not by a WhenAny over all that are left after each answer (quadratic in partitions). An
    /// earlier reading's answer in a partition's place had no records, so nothing of it is written: its place is
    /// simply taken. Returns how long the fetch only waited.
    /// </summary>
    private async Task<TimeSpan> PollTogether(List<FetchPartition> partitions, int minBytes, int maxWaitMs, IsolationLevel isolation, FetchBudget budget, Func<int, bool> wholeBatch, ParkedPolls? parked = null)
    {
        var started = context.Time.GetTimestamp();
        var progress = new PollProgress(minBytes, isolation, context.Time);
        var gate = new Lock();
        var ended = false;
        var current = new PartitionPoll[partitions.Count];
        var watches = new Task<FetchResponse>[partitions.Count];
        for (var i = 0; i < partitions.Count; i++)
        {
            var partition = partitions[i];
            var limit = budget.LimitFor(partition.MaxBytes);
            var whole = wholeBatch(i);
            var takenOver = parked?.TakeOver(new TopicPartition(partition.Topic, partition.Partition), partition.Offset, limit, whole, isolation);
            current[i] = takenOver ?? Poll(partition, maxWaitMs, limit, whole).Start();
            watches[i] = Watch(i, takenOver is not null);
        }

        // What is still parked was parked for partitions this fetch does not ask as it was: nobody will take it over.
        parked?.StopAll();

        // The fetch ends when the answers hold what it waits for, or when every poll has answered (their waits ran out).
        await Task.WhenAny(progress.Ended, Task.WhenAll(watches));
        lock (gate)
        {
            ended = true;
        }

        for (var i = 0; i < partitions.Count; i++)
        {
            FetchResponse answer;
            if (watches[i].IsCompleted)
            {
                answer = await watches[i];
                current[i].Dispose();
            }
            else if (parked?.Park(current[i]) is { } waiting)
            {
                answer = waiting;
            }
            else
            {
                current[i].Stop();
                answer = await watches[i];
                current[i].Dispose();
            }

            partitions[i].Result?.Dispose();
            partitions[i].Result = answer;
            budget.Take(answer.Records.Length);
        }

        if (parked is not null)
        {
            parked.BeginRemembering();
            foreach (var partition in partitions)
            {
                parked.Remember(new TopicPartition(partition.Topic, partition.Partition), partition.Result!);
            }
        }

        return progress.Waited;

        // The answer of partition i, counted by the progress: its poll's, unless that poll was taken over and its wait ran
        // out, empty, before this fetch's did (then the partition is asked again). Once the fetch has ended, the answer
        // in hand is final.
        async Task<FetchResponse> Watch(int i, bool takenOver)
        {
            var poll = current[i];
            while (true)
            {
                var answer = await poll.Answer.ConfigureAwait(false);
                var remaining = maxWaitMs - (int)context.Time.GetElapsedTime(started).TotalMilliseconds;
                if (!takenOver || answer is not { Error: ErrorCode.None, Records.IsEmpty: true } || answer.ReadableEnd(isolation) > poll.Offset || remaining <= 0)
                {
                    progress.Count(answer, poll.Offset);
                    return answer;
                }

                lock (gate)
                {
                    if (ended)
                    {
                        progress.Count(answer, poll.Offset);
                        return answer;
                    }

                    answer.Dispose();
                    poll.Dispose();
                    poll = current[i] = Poll(partitions[i], remaining, poll.MaxBytes, poll.WholeBatch).Start();
                    takenOver = false;
                }
            }
        }
    }

    /// <summary>
    /// Reads every partition once without waiting. A wave starts partitions in order while their limits fit
    /// together in what is left of the budget, and is awaited whole before the next, so what the broker
    /// holds stays within the budget (plus the one whole batch Kafka's rule allows). Once the budget is spent,
    /// the rest ask for a single byte together: their offsets, no batch.
    /// </summary>
    private async Task ReadInWaves(List<FetchPartition> partitions, FetchBudget budget)
    {
        var next = 0;
        while (next < partitions.Count)
        {
            var wave = new List<Task<FetchResponse>>();
            var first = next;
            long reserved = 0;
            while (next < partitions.Count)
            {
                var partition = partitions[next];
                var limit = budget.LimitFor(partition.MaxBytes);
                if (wave.Count > 0 && limit > 1 && reserved + limit > budget.Remaining)
                {
                    // It would not fit beside the others: it waits for the next wave, which knows what they used.
                    break;
                }

                // Only the first partition of a fetch that has found nothing yet may take one batch beyond its limit.
                wave.Add(Fetch(partition, maxWaitMs: 0, limit, wholeBatch: wave.Count == 0 && budget.Used == 0));
                reserved += limit;
                next++;
            }

            var results = await Task.WhenAll(wave);
            for (var i = 0; i < results.Length; i++)
            {
                partitions[first + i].Result = results[i];
                budget.Take(results[i].Records.Length);
            }
        }

        await GiveOneWholeBatch(partitions, budget);
    }

    /// <summary>
    /// Nothing came back, but a partition holds data beyond its offset: its next batch was larger than its limit.
    /// Kafka's rule gives the first such partition that batch whole.
    /// </summary>
    private async Task GiveOneWholeBatch(List<FetchPartition> partitions, FetchBudget budget)
    {
        if (budget.Used == 0 && partitions.Find(p => p.Result is { Error: ErrorCode.None, Records.IsEmpty: true } result && result.HighWatermark > p.Offset) is { } skipped)
        {
            skipped.Result = await Fetch(skipped, maxWaitMs: 0, budget.LimitFor(skipped.MaxBytes), wholeBatch: true);
            budget.Take(skipped.Result.Records.Length);
        }
    }

    /// <summary>
    /// Waits until one empty partition has data or the time is up, polling them together (see <see cref="PollTogether"/>).
    /// </summary>
    private async Task LongPoll(List<FetchPartition> empty, int maxWaitMs, IsolationLevel isolation, FetchBudget budget)
    {
        if (empty.Count == 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(maxWaitMs), context.Time);
            return;
        }

        await PollTogether(empty, minBytes: 1, maxWaitMs, isolation, budget, wholeBatch: i => i == 0 && budget.Used == 0);
    }

    /// <summary>A poll of <paramref name="partition"/> (started by the caller), which may be told to stop waiting.</summary>
    private PartitionPoll Poll(FetchPartition partition, int maxWaitMs, int maxBytes, bool wholeBatch) =>
        new(new TopicPartition(partition.Topic, partition.Partition), partition.Offset, maxBytes, wholeBatch, partition.Isolation, stopWaiting => Fetch(partition, maxWaitMs, maxBytes, wholeBatch, stopWaiting));

    private async Task<FetchResponse> Fetch(FetchPartition partition, int maxWaitMs, int maxBytes, bool wholeBatch, CancellationToken stopWaiting = default)
    {
        if (!PartitionAddress.IsValid(partition.Topic, partition.Partition))
        {
            return new FetchResponse(ErrorCode.UnknownTopicOrPartition, FetchedBatches.Empty, -1, -1, partition.Offset, PartitionAddress.Unknown(partition.Topic, partition.Partition));
        }

        try
        {
            var grain = context.Grains.GetPartitionGrain(partition.Topic, partition.Partition);
            var request = new FetchRequest(partition.Offset, maxBytes, MinBytes: 1, maxWaitMs, wholeBatch, partition.Isolation, CallerReturnsBuffer: true);
            return await StoppablePoll.AskAsync(token => grain.Fetch(request, token), () => grain.Fetch(request with { MaxWaitMs = 0 }), stopWaiting);
        }
        catch (Exception e)
        {
            var (code, message) = KafkaErrors.From(e);
            return new FetchResponse(code, FetchedBatches.Empty, -1, -1, partition.Offset, message);
        }
    }

    private static FetchRequestData Read(KafkaRequest request)
    {
        var version = request.Version;
        var reader = new KafkaReader(request.Body);
        reader.ReadInt32();
        var maxWaitMs = reader.ReadInt32();
        var minBytes = reader.ReadInt32();
        var maxBytes = reader.ReadInt32();
        var isolation = reader.ReadInt8() == (sbyte)IsolationLevel.ReadCommitted ? IsolationLevel.ReadCommitted : IsolationLevel.ReadUncommitted;
        if (version >= 7)
        {
            reader.ReadInt32();
            reader.ReadInt32();
        }

        var topicCount = reader.ReadArrayLength(flexible: false);
        var topics = new List<FetchTopic>(Math.Max(topicCount, 0));
        var topicsByName = new Dictionary<string, FetchTopic>(StringComparer.Ordinal);
        var named = new Dictionary<(string Topic, int Partition), FetchPartition>();
        for (var t = 0; t < topicCount; t++)
        {
            var name = reader.ReadString(flexible: false);
            if (!topicsByName.TryGetValue(name, out var topic))
            {
                topic = new FetchTopic(name, []);
                topicsByName.Add(name, topic);
                topics.Add(topic);
            }

            var partitionCount = reader.ReadArrayLength(flexible: false);

            // Sized once from the count the request states (no more than its bytes can hold), not grown by doubling.
            named.EnsureCapacity(named.Count + Math.Clamp(partitionCount, 0, reader.Remaining / MinPartitionBytes));
            topic.Partitions.EnsureCapacity(topic.Partitions.Count + Math.Clamp(partitionCount, 0, reader.Remaining / MinPartitionBytes));
            for (var p = 0; p < partitionCount; p++)
            {
                var index = reader.ReadInt32();
                if (version >= 9)
                {
                    reader.ReadInt32();
                }

                var offset = reader.ReadInt64();
                if (version >= 5)
                {
                    reader.ReadInt64();
                }

                var partitionMaxBytes = reader.ReadInt32();
                if (named.TryGetValue((name, index), out var again))
                {
                    // Named twice: answered once, where it first stood, with the values it was given last.
                    again.Offset = offset;
                    again.MaxBytes = partitionMaxBytes;
                    continue;
                }

                var partition = new FetchPartition(name, index) { Offset = offset, MaxBytes = partitionMaxBytes, Isolation = isolation };
                named.Add((name, index), partition);
                topic.Partitions.Add(partition);
            }
        }

        return new FetchRequestData(maxWaitMs, minBytes, maxBytes, isolation, topics);
    }

    private static KafkaWriter Write(KafkaRequest request, FetchRequestData fetch, long budget)
    {
        var version = request.Version;
        var anyRecords = false;
        var response = request.StartResponse(4096);
        response.WriteThrottleTime();
        if (version >= 7)
        {
            response.WriteInt16(ErrorCode.None);
            response.WriteInt32(0);
        }

        response.WriteArrayLength(fetch.Topics.Count, flexible: false);
        foreach (var topic in fetch.Topics)
        {
            response.WriteString(topic.Name, flexible: false);
            response.WriteArrayLength(topic.Partitions.Count, flexible: false);
            foreach (var partition in topic.Partitions)
            {
                var result = partition.Result!;
                response.WriteInt32(partition.Partition);
                response.WriteInt16(result.Error);
                response.WriteInt64(result.HighWatermark);
                response.WriteInt64(result.LastStableOffset >= 0 ? result.LastStableOffset : result.HighWatermark);
                if (version >= 5)
                {
                    response.WriteInt64(result.LogStartOffset);
                }

                if (fetch.Isolation == IsolationLevel.ReadCommitted && !result.AbortedTransactions.IsDefault)
                {
                    response.WriteArrayLength(result.AbortedTransactions.Length, flexible: false);
                    foreach (var aborted in result.AbortedTransactions)
                    {
                        response.WriteInt64(aborted.ProducerId);
                        response.WriteInt64(aborted.FirstOffset);
                    }
                }
                else
                {
                    response.WriteArrayLength(-1, flexible: false);
                }
                if (version >= 11)
                {
                    response.WriteInt32(-1);
                }

                // fetch.max.bytes bounds the response, except that the first batch always goes, so a client can make progress.
                var records = result.Records;
                if (anyRecords && records.Length > budget)
                {
                    records = ReadOnlyMemory<byte>.Empty;
                }

                // The grain's answer is referenced, not copied again; a pooled one goes back once the frame is on the socket.
                response.WriteBytesReference(records, flexible: false);
                response.Owns(result);
                budget -= records.Length;
                anyRecords |= records.Length > 0;
            }
        }

        return response;
    }

    private sealed record FetchRequestData(int MaxWaitMs, int MinBytes, int MaxBytes, IsolationLevel Isolation, List<FetchTopic> Topics);

    private sealed record FetchTopic(string Name, List<FetchPartition> Partitions);

    private sealed class FetchPartition(string topic, int partition)
    {
        public string Topic { get; } = topic;

        public int Partition { get; } = partition;

        public long Offset { get; set; }

        public IsolationLevel Isolation { get; init; }

        /// <summary>The client's <c>partition_max_bytes</c>.</summary>
        public int MaxBytes { get; set; }

        public FetchResponse? Result { get; set; }
    }
}
