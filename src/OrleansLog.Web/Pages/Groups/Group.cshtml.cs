using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OrleansLog.Client;
using OrleansLog.Client.Admin;
using OrleansLog.Web.Sampling;

namespace OrleansLog.Web.Pages.Groups;

/// <summary>One consumer group: members and what they hold, lag per partition, the total lag over time, and the reset-offsets form.</summary>
public sealed class GroupModel(OrleansLogClient client, ConsoleSampler sampler) : PageModel
{
    public string Id { get; private set; } = "";

    public ConsumerGroupDetails? Details { get; private set; }

    public IReadOnlyList<Sample> Lag { get; private set; } = [];

    public string? Problem { get; private set; }

    public string? Done { get; private set; }

    [BindProperty]
    public string? Topic { get; set; }

    [BindProperty]
    public string To { get; set; } = "earliest";

    [BindProperty]
    public long? Offset { get; set; }

    public async Task OnGetAsync(string id) => await Load(id);

    public async Task<IActionResult> OnPostResetAsync(string id)
    {
        OffsetResetSpec? spec = To switch
        {
            "earliest" => OffsetResetSpec.Earliest,
            "latest" => OffsetResetSpec.Latest,
            "offset" when Offset is >= 0 => OffsetResetSpec.ToOffset(Offset.Value),
            _ => null,
        };
        if (string.IsNullOrEmpty(Topic))
        {
            ModelState.AddModelError(nameof(Topic), "Choose the topic whose offsets to reset.");
        }

        if (spec is null)
        {
            ModelState.AddModelError(nameof(Offset), "To reset to an offset, give an offset of 0 or more.");
        }

        if (ModelState.IsValid)
        {
            try
            {
                var offsets = await client.Admin.ResetGroupOffsetsAsync(id, Topic!, spec!.Value);
                Done = $"Reset {offsets.Count} partition(s) of {Topic} to {To}{(To == "offset" ? $" {Offset}" : "")}.";
            }
            catch (OrleansLogException e)
            {
                ModelState.AddModelError(string.Empty, $"{e.Code.KafkaName()}: {e.Message}");
                Response.StatusCode = Api.KafkaProblems.StatusFor(e.Code);
            }
        }
        else
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }

        await Load(id);
        return Page();
    }

    private async Task Load(string id)
    {
        Id = id;
        try
        {
            Details = await client.Admin.DescribeGroupAsync(id);
            Lag = sampler.GroupLag(id);
        }
        catch (OrleansLogException e)
        {
            Problem = $"{e.Code.KafkaName()}: {e.Message}";
            if (Response.StatusCode == StatusCodes.Status200OK)
            {
                Response.StatusCode = Api.KafkaProblems.StatusFor(e.Code);
            }
        }
    }
}
