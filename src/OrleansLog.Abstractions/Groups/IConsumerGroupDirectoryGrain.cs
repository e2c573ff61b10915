using System.Collections.Immutable;

namespace OrleansLog.Groups;

/// <summary>The persisted list of consumer group ids (one grain per cluster, key <see cref="ClusterKey"/>), for listing groups.</summary>
public interface IConsumerGroupDirectoryGrain : IGrainWithStringKey
{
    const string ClusterKey = "cluster";

    Task Register(string groupId);

    Task Unregister(string groupId);

    Task<ImmutableArray<string>> List();
}
