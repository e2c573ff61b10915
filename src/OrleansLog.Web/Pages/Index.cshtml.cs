using Microsoft.AspNetCore.Mvc.RazorPages;
using OrleansLog.Brokers;
using OrleansLog.Client;
using OrleansLog.Topics;

namespace OrleansLog.Web.Pages;

/// <summary>The cluster overview: brokers, topics, and the partitions that are under-replicated or offline.</summary>
public sealed class IndexModel(OrleansLogClient client) : PageModel
{
    public IReadOnlyList<BrokerDescription> Brokers { get; private set; } = [];

    public bool BrokersHidden { get; private set; }

    public IReadOnlyList<TopicDetails> Topics { get; private set; } = [];

    public int PartitionCount => Topics.Sum(t => t.Topic.PartitionCount);

    public int UnderReplicated => Topics.Sum(t => t.Topic.Partitions.Count(p => p.IsOnline && p.Isr.Length < p.Replicas.Length));

    public int Offline => Topics.Sum(t => t.Topic.Partitions.Count(p => !p.IsOnline));

    public async Task OnGetAsync()
    {
        try
        {
            Brokers = await client.Admin.ListBrokersAsync();
        }
        catch (OrleansLogException e) when (e.Code == ErrorCode.ClusterAuthorizationFailed)
        {
            // The brokers are for users who may DESCRIBE the cluster; the topics below are filtered to those the user may see.
            BrokersHidden = true;
        }

        var topics = new List<TopicDetails>();
        foreach (var topic in (await client.Admin.ListTopicsAsync()).OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            topics.Add(await client.Admin.DescribeTopicAsync(topic.Name));
        }

        Topics = topics;
    }
}
