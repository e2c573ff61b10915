using Microsoft.AspNetCore.Mvc.RazorPages;
using OrleansLog.Client;
using OrleansLog.Client.Admin;

namespace OrleansLog.Web.Pages.Groups;

/// <summary>Every consumer group with its state, members and total lag.</summary>
public sealed class IndexModel(OrleansLogClient client) : PageModel
{
    public List<ConsumerGroupDetails> Groups { get; } = [];

    public async Task OnGetAsync()
    {
        foreach (var id in (await client.Admin.ListGroupsAsync()).Order(StringComparer.Ordinal))
        {
            try
            {
                Groups.Add(await client.Admin.DescribeGroupAsync(id));
            }
            catch (OrleansLogException e) when (e.Code == ErrorCode.GroupIdNotFound)
            {
                // Listed but holding nothing any more.
            }
        }
    }
}
