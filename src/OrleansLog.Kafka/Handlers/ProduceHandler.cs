using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Security;
using OrleansLog.Partitions;
using OrleansLog.Records;
using OrleansLog.Security;

namespace OrleansLog.Kafka.Handlers;

/// <summary>
/// Produce (key 0; v3-8 carry record batches v2, v0-2 are refused per partition). Each partition's
/// records go to its leader grain as the client sent them, byte for byte, all partitions at once; the
/// grain validates, stamps and appends, and applies acks, timeouts and idempotence. With acks=0 nothing is answered.
/// </summary>
internal sealed class ProduceHandler(KafkaListenerContext context) : IKafkaHandler
{
    public ApiKey Key => ApiKey.Produce;

    public async Task<KafkaWriter?> HandleAsync(KafkaRequest request)
    {
        var (transactionalId, acks, timeoutMs, topics) = Read(request);

        // Kafka's rule: a transactional produce needs WRITE on its transactional id as well as on each topic.
        var refusedId = transactionalId is not null && !context.Allows(request, AclOperation.Write, AclResourceType.TransactionalId, transactionalId);
        var results = new Task<ProduceResponse>[topics.Sum(t => t.Partitions.Count)];
        var next = 0;
        foreach (var topic in topics)
        {
            foreach (var partition in topic.Partitions)
            {
                results[next++] = partition.Refusal is { } refusal
                    ? Task.FromResult(refusal)
                    : refusedId
                    ? Task.FromResult(new ProduceResponse(ErrorCode.TransactionalIdAuthorizationFailed, -1, -1, $"{request.Principal} may not write as transactional id \"{transactionalId}\"."))
                    : !context.AllowsTopic(request, AclOperation.Write, topic.Name)
                    ? Task.FromResult(new ProduceResponse(ErrorCode.TopicAuthorizationFailed, -1, -1, KafkaAccess.TopicRefusal(request, AclOperation.Write, topic.Name)))
                    : request.ProduceOrder.Send(new TopicPartition(topic.Name, partition.Index), () => Produce(request, topic.Name, partition.Index, new ProduceRequest(partition.Records, acks, timeoutMs, transactionalId)));
            }
        }

        await Task.WhenAll(results);
        return acks == Acks.None ? null : Write(request, topics, results);
    }

    private async Task<ProduceResponse> Produce(KafkaRequest request, string topic, int partition, ProduceRequest produce)
    {
        try
        {
            return await context.Grains.GetPartitionGrain(topic, partition).Produce(produce);
        }
        catch (Exception e)
        {
            request.FrameMayStillBeRead = true;
            var (code, message) = KafkaErrors.From(e);
            return new ProduceResponse(code, -1, -1, message);
        }
    }

    private static (string? TransactionalId, short Acks, int TimeoutMs, List<TopicData> Topics) Read(KafkaRequest request)
    {
        var reader = new KafkaReader(request.Body);
        var transactionalId = request.Version >= 3 ? reader.ReadNullableString(flexible: false) : null;
        var acks = reader.ReadInt16();
        var timeoutMs = reader.ReadInt32();
        var topicCount = reader.ReadArrayLength(flexible: false);
        var topics = new List<TopicData>(Math.Max(topicCount, 0));
        for (var t = 0; t < topicCount; t++)
        {
            var topic = new TopicData(reader.ReadString(flexible: false), []);
            var partitionCount = reader.ReadArrayLength(flexible: false);
            for (var p = 0; p < partitionCount; p++)
            {
                var index = reader.ReadInt32();
                var records = reader.ReadNullableBytes(flexible: false, out var isNull);
                var refusal = PartitionAddress.IsValid(topic.Name, index)
                    ? Check(request.Version, records, isNull)
                    : new ProduceResponse(ErrorCode.UnknownTopicOrPartition, -1, -1, PartitionAddress.Unknown(topic.Name, index));

                // A slice of the request frame, not a copy: the frame lives until every grain call has answered.
                var slice = refusal is null ? request.BodyMemory.Slice(reader.Position - records.Length, records.Length) : ReadOnlyMemory<byte>.Empty;
                topic.Partitions.Add(new PartitionData(index, slice, refusal));
            }

            topics.Add(topic);
        }

        return (transactionalId, acks, timeoutMs, topics);
    }

    /// <summary>Why a partition's records are refused before they reach the grain, or null.</summary>
    private static ProduceResponse? Check(short version, ReadOnlySpan<byte> records, bool isNull)
    {
        if (isNull || records.Length < RecordBatchLayout.HeaderSize)
        {
            return new ProduceResponse(ErrorCode.CorruptMessage, -1, -1, $"The records are {(isNull ? "null" : $"{records.Length} bytes")}: shorter than one record batch header.");
        }

        if (version < 3 || records[RecordBatchLayout.MagicOffset] != 2)
        {
            return new ProduceResponse(ErrorCode.UnsupportedForMessageFormat, -1, -1, $"Only record batches of magic 2 (produce v3 and later) are stored; this one has magic {records[RecordBatchLayout.MagicOffset]}.");
        }

        return null;
    }

    private static KafkaWriter Write(KafkaRequest request, List<TopicData> topics, Task<ProduceResponse>[] results)
    {
        var version = request.Version;
        var response = request.StartResponse();
        response.WriteArrayLength(topics.Count, flexible: false);
        var next = 0;
        foreach (var topic in topics)
        {
            response.WriteString(topic.Name, flexible: false);
            response.WriteArrayLength(topic.Partitions.Count, flexible: false);
            foreach (var partition in topic.Partitions)
            {
                var result = results[next++].Result;
                response.WriteInt32(partition.Index);
                response.WriteInt16(result.Error);
                response.WriteInt64(result.BaseOffset);
                if (version >= 2)
                {
                    response.WriteInt64(result.LogAppendTime);
                }

                if (version >= 5)
                {
                    response.WriteInt64(result.LogStartOffset);
                }

                if (version >= 8)
                {
                    WriteRecordErrors(response, result);
                    response.WriteNullableString(result.Error == ErrorCode.None ? null : result.ErrorMessage, flexible: false);
                }
            }
        }

        if (version >= 1)
        {
            response.WriteThrottleTime();
        }

        return response;
    }

    /// <summary>record_errors: the record that caused a refusal, when one did, so the client can name it.</summary>
    private static void WriteRecordErrors(KafkaWriter response, ProduceResponse result)
    {
        if (result.RecordIndex < 0)
        {
            response.WriteArrayLength(0, flexible: false);
            return;
        }

        response.WriteArrayLength(1, flexible: false);
        response.WriteInt32(result.RecordIndex);
        response.WriteNullableString(result.ErrorMessage, flexible: false);
    }

    private sealed record TopicData(string Name, List<PartitionData> Partitions);

    /// <summary>One partition's records, as a slice of the request frame.</summary>
    private sealed record PartitionData(int Index, ReadOnlyMemory<byte> Records, ProduceResponse? Refusal);
}
