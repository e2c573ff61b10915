using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OrleansLog.Client;
using OrleansLog.Metadata;

namespace OrleansLog.Web.Pages.Topics;

/// <summary>The create-topic form. The broker's own validation decides; its refusal is shown beside the field it concerns.</summary>
public sealed class NewModel(OrleansLogClient client) : PageModel
{
    [BindProperty]
    [Required(ErrorMessage = "A topic needs a name.")]
    public string? Name { get; set; }

    [BindProperty]
    public int Partitions { get; set; } = 1;

    [BindProperty]
    public short ReplicationFactor { get; set; } = -1;

    [BindProperty]
    public long? RetentionMs { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var configs = RetentionMs is { } retention ? new Dictionary<string, string> { [TopicConfig.RetentionMsKey] = retention.ToString(CultureInfo.InvariantCulture) } : null;
        try
        {
            await client.Admin.CreateTopicAsync(Name!, Partitions, ReplicationFactor, configs);
        }
        catch (OrleansLogException e)
        {
            var field = e.Code switch
            {
                ErrorCode.InvalidPartitions => nameof(Partitions),
                ErrorCode.InvalidReplicationFactor => nameof(ReplicationFactor),
                ErrorCode.InvalidConfig => nameof(RetentionMs),
                ErrorCode.InvalidTopicException or ErrorCode.TopicAlreadyExists or ErrorCode.TopicAuthorizationFailed => nameof(Name),
                _ => string.Empty,
            };
            ModelState.AddModelError(field, $"{e.Code.KafkaName()}: {e.Message}");
            Response.StatusCode = Api.KafkaProblems.StatusFor(e.Code);
            return Page();
        }

        return Redirect($"/topics/{Name}");
    }
}
