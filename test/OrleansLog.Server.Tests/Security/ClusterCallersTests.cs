using System.Collections.Immutable;
using System.Net;
using OrleansLog.Server.Security;

namespace OrleansLog.Server.Tests.Security;

/// <summary>How a call's source is classified, and that remembering hosted clients never outlives their silo's membership.</summary>
public sealed class ClusterCallersTests
{
    private static readonly SiloAddress Silo = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11111), 1);

    private readonly FakeMembership _membership = new();

    [Fact]
    public void A_member_silos_hosted_client_is_hosted_until_the_silo_leaves_and_again_when_it_returns()
    {
        var callers = new ClusterCallers(_membership);
        var hosted = Client($"hosted-{Silo.ToParsableString()}");

        _membership.Members = [Silo];
        Assert.Equal(CallerKind.HostedClient, callers.Classify(hosted));
        Assert.Equal(CallerKind.HostedClient, callers.Classify(hosted));

        _membership.Members = [];
        Assert.Equal(CallerKind.OutsideClient, callers.Classify(hosted));

        _membership.Members = [Silo];
        Assert.Equal(CallerKind.HostedClient, callers.Classify(hosted));
    }

    [Fact]
    public void Other_clients_forged_hosted_ids_and_grains_are_told_apart()
    {
        var callers = new ClusterCallers(_membership);
        _membership.Members = [Silo];
        var unknownSilo = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 22222), 2);

        Assert.Equal(CallerKind.OutsideClient, callers.Classify(Client("some-client")));
        Assert.Equal(CallerKind.OutsideClient, callers.Classify(Client($"hosted-{unknownSilo.ToParsableString()}")));
        Assert.Equal(CallerKind.OutsideClient, callers.Classify(Client("hosted-not-a-silo")));
        Assert.Equal(CallerKind.Cluster, callers.Classify(GrainId.Create("partition", "t/0")));
        Assert.Equal(CallerKind.Cluster, callers.Classify(null));
    }

    /// <summary>A client's id as Orleans makes it (its type is the client prefix, its key the client's name).</summary>
    private static GrainId Client(string key) => GrainId.Create(GrainTypePrefix.ClientGrainType, key);

    private sealed class FakeMembership : IClusterMembershipService
    {
        public ImmutableArray<SiloAddress> Members { get; set; } = [];

        public ClusterMembershipSnapshot CurrentSnapshot => new(
            Members.ToImmutableDictionary(silo => silo, silo => new ClusterMember(silo, SiloStatus.Active, silo.ToString())),
            new MembershipVersion(1));

        public IAsyncEnumerable<ClusterMembershipSnapshot> MembershipUpdates => throw new NotSupportedException();

        public ValueTask Refresh(MembershipVersion minimumVersion = default, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public Task<bool> TryKill(SiloAddress siloAddress) => Task.FromResult(false);
    }
}
