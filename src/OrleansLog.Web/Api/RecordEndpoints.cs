using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OrleansLog.Client;
using OrleansLog.Client.Consuming;
using OrleansLog.Client.Producing;
using OrleansLog.Client.Serialization;
using OrleansLog.Web.SchemaRegistry;

namespace OrleansLog.Web.Api;

/// <summary>
/// Records: produce one record (a JSON object) or a batch (a JSON array) to a topic, each answered with
/// its partition and offset; read a partition from an offset. Keys, values and headers: see <see cref="RecordPayloads"/>.
/// </summary>
internal static class RecordEndpoints
{
    public const int MaxCount = 1000;

    public static void Map(RouteGroupBuilder cluster)
    {
        cluster.MapPost("/topics/{topic_name}/records", Produce);
        cluster.MapGet("/topics/{topic_name}/partitions/{partition_id:int}/records", ReadPartition).AddEndpointFilter(RecordReadLimiter.Filter);
    }

    /// <summary>Checks <paramref name="maxCount"/> and <paramref name="timeoutMs"/> of a read; a problem when out of range.</summary>
    public static IResult? CheckReadLimits(int maxCount, int timeoutMs) =>
        maxCount is < 1 or > MaxCount ? KafkaProblems.Problem(ErrorCode.InvalidRequest, $"max_count={maxCount} is outside [1, {MaxCount}].")
        : timeoutMs is < 0 or > 30_000 ? KafkaProblems.Problem(ErrorCode.InvalidRequest, $"timeout_ms={timeoutMs} is outside [0, 30000].")
        : null;

    /// <summary>
    /// Reads up to <paramref name="maxCount"/> records from where <paramref name="consumer"/> is assigned,
    /// waiting at most <paramref name="timeoutMs"/> for the first and briefly for each next; asynchronously
    /// throughout, so a slow read holds no thread.
    /// </summary>
    public static async Task<List<ConsumeResult<byte[]?, byte[]?>>> ReadResultsAsync(Consumer<byte[]?, byte[]?> consumer, int maxCount, int timeoutMs, TimeProvider time, CancellationToken cancellationToken)
    {
        var results = new List<ConsumeResult<byte[]?, byte[]?>>();
        var started = time.GetTimestamp();
        var timeout = TimeSpan.FromMilliseconds(timeoutMs);
        while (results.Count < maxCount)
        {
            var left = timeout - time.GetElapsedTime(started);
            var wait = results.Count == 0 ? left : TimeSpan.FromMilliseconds(Math.Min(100, Math.Max(0, left.TotalMilliseconds)));
            if (wait <= TimeSpan.Zero || await consumer.ConsumeAsync(wait, cancellationToken) is not { } result)
            {
                break;
            }

            results.Add(result);
        }

        return results;
    }

    /// <summary>As <see cref="ReadResultsAsync"/>, with keys, values and headers as the API shows them.</summary>
    public static async Task<List<ConsumedRecord>> ReadAsync(Consumer<byte[]?, byte[]?> consumer, int maxCount, int timeoutMs, TimeProvider time, CancellationToken cancellationToken) =>
        [.. (await ReadResultsAsync(consumer, maxCount, timeoutMs, time, cancellationToken)).Select(result => new ConsumedRecord(
                result.Topic,
                result.Partition,
                result.Offset,
                result.Message.Timestamp is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null,
                RecordPayloads.FromBytes(result.Message.Key),
                RecordPayloads.FromBytes(result.Message.Value),
                [.. (result.Message.Headers ?? []).Select(h => new RecordHeaderData(h.Key, h.Value is { } v ? Convert.ToBase64String(v.Span) : null))]))];

    public static Consumer<byte[]?, byte[]?> NewConsumer(OrleansLogClient client, string? groupId = null) =>
        client.NewConsumer<byte[]?, byte[]?>(new ConsumerConfig { ClientId = "orleanslog-web", GroupId = groupId, EnableAutoCommit = false, FetchMaxWait = TimeSpan.FromMilliseconds(100) })
            .SetKeyDeserializer(Deserializers.ByteArray)
            .SetValueDeserializer(Deserializers.ByteArray)
            .Build();

    private static async Task<IResult> Produce(string topic_name, HttpRequest request, RecordProducer producer, ValueSchemaValidator schemas, OrleansLogClient client)
    {
        // The shared producer sends for every caller: the caller's own right to write is checked here, in its session.
        await client.Grains.GetGrain<OrleansLog.Security.IAccessCheckGrain>(0).MayWrite(topic_name);
        var (body, problem) = await JsonBody.ReadElementAsync(request);
        if (problem is not null)
        {
            return problem;
        }

        var batch = body.ValueKind == JsonValueKind.Array;
        List<ProduceRecordRequest> records;
        try
        {
            records = batch
                ? body.Deserialize<List<ProduceRecordRequest>>(JsonBody.Options(request)) ?? []
                : [body.Deserialize<ProduceRecordRequest>(JsonBody.Options(request))!];
        }
        catch (JsonException e)
        {
            return KafkaProblems.Problem(ErrorCode.InvalidRequest, $"A record is not valid: {e.Message}");
        }

        if (records.Count is 0 or > MaxCount)
        {
            return KafkaProblems.Problem(ErrorCode.InvalidRequest, $"A request carries 1 to {MaxCount} records; this one has {records.Count}.");
        }

        var (required, missing) = await schemas.ForTopic(topic_name);
        if (missing is not null)
        {
            return KafkaProblems.Problem(ErrorCode.InvalidRecord, missing);
        }

        var messages = new List<(int? Partition, Message<byte[]?, byte[]?> Message)>(records.Count);
        for (var i = 0; i < records.Count; i++)
        {
            var message = ToMessage(records[i], out var invalid);
            if (message is not null && required is not null)
            {
                message.Value = ValueSchemaValidator.Frame(required, message.Value, out invalid);
            }

            if (invalid is not null)
            {
                return KafkaProblems.Problem(ErrorCode.InvalidRecord, batch ? $"Record {i}: {invalid}" : invalid);
            }

            messages.Add((records[i].PartitionId, message!));
        }

        // Validated as a whole before anything is sent: an invalid record refuses the request and stores nothing.
        var results = await Task.WhenAll(messages.Select(m => Send(producer.Producer, topic_name, m.Partition, m.Message)));
        if (!batch && results[0].ErrorCode != StatusCodes.Status200OK)
        {
            throw new OrleansLogException((ErrorCode)results[0].KafkaCode, results[0].Result.Message!);
        }

        return batch ? Results.Ok(results.Select(r => r.Result)) : Results.Ok(results[0].Result);
    }

    private static async Task<(int ErrorCode, int KafkaCode, ProduceRecordResult Result)> Send(Producer<byte[]?, byte[]?> producer, string topic, int? partition, Message<byte[]?, byte[]?> message)
    {
        try
        {
            var delivered = partition is { } p
                ? await producer.ProduceAsync(new Partitions.TopicPartition(topic, p), message)
                : await producer.ProduceAsync(topic, message);
            return (StatusCodes.Status200OK, 0, new ProduceRecordResult(StatusCodes.Status200OK, null, topic, delivered.Partition, delivered.Offset, DateTimeOffset.FromUnixTimeMilliseconds(delivered.Timestamp)));
        }
        catch (OrleansLogException e)
        {
            var status = KafkaProblems.StatusFor(e.Code);
            return (status, (int)e.Code, new ProduceRecordResult(status, $"{e.Code.KafkaName()}: {e.Message}", topic, partition, null, null));
        }
    }

    private static Message<byte[]?, byte[]?>? ToMessage(ProduceRecordRequest record, out string? problem)
    {
        var key = RecordPayloads.ToBytes(record.Key, "key", out problem);
        if (problem is not null)
        {
            return null;
        }

        var value = RecordPayloads.ToBytes(record.Value, "value", out problem);
        if (problem is not null)
        {
            return null;
        }

        var headers = new Headers();
        foreach (var header in record.Headers ?? [])
        {
            if (string.IsNullOrEmpty(header.Name))
            {
                problem = "Every header needs a name.";
                return null;
            }

            try
            {
                headers.Add(header.Name, header.Value is null ? null : Convert.FromBase64String(header.Value));
            }
            catch (FormatException)
            {
                problem = $"Header \"{header.Name}\" is not base64.";
                return null;
            }
        }

        if (record.PartitionId is < 0)
        {
            problem = $"partition_id={record.PartitionId} is negative.";
            return null;
        }

        return new Message<byte[]?, byte[]?> { Key = key, Value = value, Headers = headers, Timestamp = record.Timestamp?.ToUnixTimeMilliseconds() };
    }

    private static async Task<IResult> ReadPartition(string topic_name, int partition_id, OrleansLogClient client, TimeProvider time, HttpContext context, long offset = 0, int max_count = 100, int timeout_ms = 1000)
    {
        if (CheckReadLimits(max_count, timeout_ms) is { } problem)
        {
            return problem;
        }

        if (offset < 0)
        {
            return KafkaProblems.Problem(ErrorCode.OffsetOutOfRange, $"offset={offset} is negative.");
        }

        await using var consumer = NewConsumer(client);
        consumer.Assign([new TopicPartitionOffset(topic_name, partition_id, offset)]);
        return Results.Ok(new ListData<ConsumedRecord>("KafkaRecordList", await ReadAsync(consumer, max_count, timeout_ms, time, context.RequestAborted)));
    }
}
