using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OrleansLog.Client;
using OrleansLog.Client.Consuming;
using OrleansLog.Web.Api;

namespace OrleansLog.Web.Pages.Topics;

/// <summary>The message browser: records of one partition from an offset, with key, value (JSON pretty-printed), headers and timestamp.</summary>
public sealed class MessagesModel(OrleansLogClient client, RecordReadLimiter limiter, TimeProvider time) : PageModel
{
    public const int MaxCount = 200;

    /// <summary>How long the page waits for records, as the REST API's read does by default.</summary>
    private const int ReadTimeoutMs = 1000;

    public string Name { get; private set; } = "";

    [BindProperty(SupportsGet = true)]
    public int Partition { get; set; }

    [BindProperty(SupportsGet = true)]
    public long Offset { get; set; }

    [BindProperty(SupportsGet = true)]
    public int Count { get; set; } = 50;

    public int PartitionCount { get; private set; }

    public List<ConsumeResult<byte[]?, byte[]?>> Records { get; } = [];

    public string? Problem { get; private set; }

    public async Task OnGetAsync(string name)
    {
        Name = name;
        try
        {
            PartitionCount = (await client.Admin.DescribeTopicAsync(name)).Topic.PartitionCount;
            if (Partition < 0 || Partition >= PartitionCount || Offset < 0 || Count is < 1 or > MaxCount)
            {
                Problem = $"Choose a partition from 0 to {PartitionCount - 1}, an offset of 0 or more, and 1 to {MaxCount} records.";
                Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }

            using var lease = limiter.TryAcquire();
            if (!lease.IsAcquired)
            {
                Problem = $"THROTTLING_QUOTA_EXCEEDED: {limiter.MaxConcurrentReads} record reads are being served; reload shortly.";
                Response.StatusCode = StatusCodes.Status429TooManyRequests;
                Response.Headers.RetryAfter = "1";
                return;
            }

            await using var consumer = RecordEndpoints.NewConsumer(client);
            consumer.Assign([new TopicPartitionOffset(name, Partition, Offset)]);
            Records.AddRange(await RecordEndpoints.ReadResultsAsync(consumer, Count, ReadTimeoutMs, time, HttpContext.RequestAborted));
        }
        catch (OrleansLogException e)
        {
            Problem = $"{e.Code.KafkaName()}: {e.Message}";
            Response.StatusCode = KafkaProblems.StatusFor(e.Code);
        }
    }
}
