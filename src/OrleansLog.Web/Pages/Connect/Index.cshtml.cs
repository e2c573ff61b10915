using Microsoft.AspNetCore.Mvc.RazorPages;
using OrleansLog.Client;
using OrleansLog.Connect;

namespace OrleansLog.Web.Pages.Connect;

/// <summary>Every connector with its type, state and each task's state, silo and failure (the page is /connect: /connectors is Kafka Connect's REST API).</summary>
public sealed class IndexModel(OrleansLogClient client) : PageModel
{
    public List<ConnectorStatus> Connectors { get; } = [];

    public async Task OnGetAsync()
    {
        foreach (var name in await client.Grains.GetGrain<IConnectClusterGrain>(IConnectClusterGrain.ClusterKey).List())
        {
            // A connector deleted since the list was read is skipped.
            if (await client.Grains.GetGrain<IConnectorGrain>(name).Status() is { IsError: false, Value: { } status })
            {
                Connectors.Add(status);
            }
        }
    }

    /// <summary>The first line of a failure's trace: the exception and its message.</summary>
    public static string FirstLine(string? trace) => trace is null ? "" : trace.Split('\n', 2)[0].Trim();
}
