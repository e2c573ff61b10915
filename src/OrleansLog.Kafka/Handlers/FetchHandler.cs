using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Partitions;

namespace OrleansLog.Kafka.Handlers;

/// <summary>
/// Fetch (key 4-11, sessionless: every response carries session id 0, so clients send full fetches).
/// First every partition is read without waiting; if that yields fewer than <c>min_bytes</c>, the empty
/// partitions long-poll their leaders for what is left of <c>max_wait_ms</c>, and the response goes as
/// soon as one of them has data. Batches are returned as stored. read_committed is served like
/// read_uncommitted (there are no transactions): the last stable offset is the high watermark.
/// </summary>
internal sealed class FetchHandler(KafkaListenerContext context) : IKafkaHandler
{
    public ApiKey Key => ApiKey.Fetch;

    public async Task<KafkaWriter?> HandleAsync(KafkaRequest request)
    {
        var fetch = Read(request);
        var started = context.Time.GetTimestamp();
        var partitions = fetch.Topics.SelectMany(t => t.Partitions).ToList();
        var first = await Task.WhenAll(partitions.Select(p => Fetch(p, maxWaitMs: 0)));
        for (var i = 0; i < partitions.Count; i++)
        {
            partitions[i].Result = first[i];
        }

        var remaining = fetch.MaxWaitMs - (int)context.Time.GetElapsedTime(started).TotalMilliseconds;
        // As Kafka's brokers do, an error is answered at once: the client needs it more than a wait.
        if (TotalBytes(partitions) < fetch.MinBytes && remaining > 0 && partitions.TrueForAll(p => p.Result!.Error == ErrorCode.None))
        {
            await LongPoll(partitions.Where(p => p.Result!.Error == ErrorCode.None && p.Result.Records.IsEmpty).ToList(), remaining);
        }

        return Write(request, fetch);
    }

    /// <summary>Waits until one empty partition has data or the time is up; the polls still out are abandoned (a fetch only reads).</summary>
    private async Task LongPoll(List<FetchPartition> empty, int maxWaitMs)
    {
        if (empty.Count == 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(maxWaitMs), context.Time);
            return;
        }

        var polls = empty.Select(p => Fetch(p, maxWaitMs)).ToList();
        var deadline = Task.Delay(TimeSpan.FromMilliseconds(maxWaitMs + 50), context.Time);
        var pending = new List<Task>(polls) { deadline };
        while (pending.Count > 1)
        {
            var done = await Task.WhenAny(pending);
            if (done == deadline)
            {
                break;
            }

            pending.Remove(done);
            var index = polls.IndexOf((Task<FetchResponse>)done);
            empty[index].Result = polls[index].Result;
            if (!polls[index].Result.Records.IsEmpty)
            {
                break;
            }
        }
    }

    private async Task<FetchResponse> Fetch(FetchPartition partition, int maxWaitMs)
    {
        if (!PartitionAddress.IsValid(partition.Topic, partition.Partition))
        {
            return new FetchResponse(ErrorCode.UnknownTopicOrPartition, ReadOnlyMemory<byte>.Empty, -1, -1, partition.Offset, PartitionAddress.Unknown(partition.Topic, partition.Partition));
        }

        try
        {
            return await context.Grains.GetPartitionGrain(partition.Topic, partition.Partition)
                .Fetch(new FetchRequest(partition.Offset, partition.MaxBytes, MinBytes: 1, maxWaitMs));
        }
        catch (Exception e)
        {
            var (code, message) = KafkaErrors.From(e);
            return new FetchResponse(code, ReadOnlyMemory<byte>.Empty, -1, -1, partition.Offset, message);
        }
    }

    private static long TotalBytes(List<FetchPartition> partitions)
    {
        long total = 0;
        foreach (var partition in partitions)
        {
            total += partition.Result!.Records.Length;
        }

        return total;
    }

    private static FetchRequestData Read(KafkaRequest request)
    {
        var version = request.Version;
        var reader = new KafkaReader(request.Body);
        reader.ReadInt32();
        var maxWaitMs = reader.ReadInt32();
        var minBytes = reader.ReadInt32();
        var maxBytes = reader.ReadInt32();
        reader.ReadInt8();
        if (version >= 7)
        {
            reader.ReadInt32();
            reader.ReadInt32();
        }

        var topicCount = reader.ReadArrayLength(flexible: false);
        var topics = new List<FetchTopic>(Math.Max(topicCount, 0));
        for (var t = 0; t < topicCount; t++)
        {
            var name = reader.ReadString(flexible: false);
            var partitionCount = reader.ReadArrayLength(flexible: false);
            var partitions = new List<FetchPartition>(Math.Max(partitionCount, 0));
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
                partitions.Add(new FetchPartition(name, index, offset, partitionMaxBytes));
            }

            topics.Add(new FetchTopic(name, partitions));
        }

        return new FetchRequestData(maxWaitMs, minBytes, maxBytes, topics);
    }

    private static KafkaWriter Write(KafkaRequest request, FetchRequestData fetch)
    {
        var version = request.Version;
        long budget = fetch.MaxBytes;
        var anyRecords = false;
        var response = request.StartResponse(4096);
        response.WriteInt32(0);
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
                response.WriteInt64(result.HighWatermark);
                if (version >= 5)
                {
                    response.WriteInt64(result.LogStartOffset);
                }

                response.WriteArrayLength(-1, flexible: false);
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

                // The grain's answer is the client's own copy: referenced, not copied again.
                response.WriteBytesReference(records, flexible: false);
                budget -= records.Length;
                anyRecords |= records.Length > 0;
            }
        }

        return response;
    }

    private sealed record FetchRequestData(int MaxWaitMs, int MinBytes, int MaxBytes, List<FetchTopic> Topics);

    private sealed record FetchTopic(string Name, List<FetchPartition> Partitions);

    private sealed record FetchPartition(string Topic, int Partition, long Offset, int MaxBytes)
    {
        public FetchResponse? Result { get; set; }
    }
}
