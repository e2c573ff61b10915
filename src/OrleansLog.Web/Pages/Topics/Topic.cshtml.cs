using Microsoft.AspNetCore.Mvc.RazorPages;
using OrleansLog.Client;
using OrleansLog.Topics;
using OrleansLog.Web.Sampling;

namespace OrleansLog.Web.Pages.Topics;

/// <summary>One topic: each partition's leader, replicas, ISR, offsets and size, its config overrides, and its produce rate over the sampled window.</summary>
public sealed class TopicModel(OrleansLogClient client, ConsoleSampler sampler) : PageModel
{
    public TopicDetails? Details { get; private set; }

    public string? Problem { get; private set; }

    public double? RecordsPerSecond { get; private set; }

    public IReadOnlyList<Sample> Offsets { get; private set; } = [];

    public async Task OnGetAsync(string name)
    {
        try
        {
            Details = await client.Admin.DescribeTopicAsync(name);
            RecordsPerSecond = sampler.TopicRate(name);
            Offsets = sampler.TopicOffsets(name);
        }
        catch (OrleansLogException e)
        {
            Problem = $"{e.Code.KafkaName()}: {e.Message}";
            Response.StatusCode = Api.KafkaProblems.StatusFor(e.Code);
        }
    }
}
