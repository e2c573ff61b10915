using System.Collections.Immutable;
using System.Reflection;
using OrleansLog.Groups;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Producers;
using OrleansLog.Replication;
using OrleansLog.Security;
using OrleansLog.Testing;
using OrleansLog.Topics;

namespace OrleansLog.Server.Tests.Security;

/// <summary>
/// Every grain method marked internal to the cluster, called from an Orleans client on the gateway, is refused with
/// CLUSTER_AUTHORIZATION_FAILED before the grain runs it; calls from inside a silo are served.
/// </summary>
public sealed class ClusterInternalCallTests(BrokerClusterFixture broker) : IClassFixture<BrokerClusterFixture>
{
    private const string Topic = "internal-calls";

    public static TheoryData<string> InternalMethods() => [.. InternalMethodNames()];

    // The cluster's own interfaces; Orleans' management grain has its own test below.
    private static IEnumerable<string> InternalMethodNames() =>
        typeof(IPartitionGrain).Assembly.GetTypes()
            .Where(t => t.IsInterface && typeof(IGrain).IsAssignableFrom(t))
            .SelectMany(t => t.GetMethods())
            .Where(m => m.ReturnType.IsAssignableTo(typeof(Task)) && Server.Security.ClusterInternalCallFilter.IsInternal(m))
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}");

    [Fact]
    public void The_internal_methods_are_the_ones_the_cluster_alone_calls()
    {
        var names = InternalMethodNames().ToHashSet();
        Assert.Contains("IFollowerGrain.Fence", names);
        Assert.Contains("IMetadataGrain.RegisterBroker", names);
        Assert.Contains("ICredentialStoreGrain.Find", names);
        Assert.Contains("IConnectTaskGrain.Run", names);
        Assert.Contains("IConnectorGrain.Supervise", names);
        Assert.DoesNotContain("IConnectorGrain.Put", names);
        Assert.DoesNotContain("IPartitionGrain.Produce", names);
        Assert.DoesNotContain("IMetadataGrain.CreateTopic", names);
    }

    [Theory]
    [MemberData(nameof(InternalMethods))]
    public async Task An_internal_method_is_refused_to_a_gateway_client(string name)
    {
        await EnsureTopic();
        var method = Method(name);
        var refused = await Assert.ThrowsAsync<OrleansLogException>(() => Call(broker.Grains, method));
        Assert.Equal(ErrorCode.ClusterAuthorizationFailed, refused.Code);
        Assert.Contains("only its silos may call it", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Orleans_management_changes_are_refused_to_a_gateway_client_and_its_reads_are_served()
    {
        var management = broker.Grains.GetGrain<IManagementGrain>(0);
        Assert.NotEmpty(await management.GetHosts(onlyActive: true));
        var refused = await Assert.ThrowsAsync<OrleansLogException>(() => management.ForceActivationCollection(TimeSpan.FromHours(1)));
        Assert.Equal(ErrorCode.ClusterAuthorizationFailed, refused.Code);
        await broker.Inside.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.FromHours(1));
    }

    [Fact]
    public async Task Internal_methods_called_from_inside_a_silo_are_served()
    {
        await EnsureTopic();
        var inside = broker.Inside;
        Assert.Null(await inside.GetGrain<ICredentialStoreGrain>(ICredentialStoreGrain.ClusterKey).Find("nobody", "SCRAM-SHA-256"));
        Assert.True(await inside.GetGrain<IProducerIdGrain>(IProducerIdGrain.ClusterKey).AllocatedUpTo() >= 0);
        await inside.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey).MembershipChanged();
        var state = await inside.GetGrain<IFollowerGrain>(IFollowerGrain.Key(new TopicPartition(Topic, 0), 0)).GetState();
        Assert.NotNull(state);
        await inside.GetPartitionGrain(Topic, 0).RunRetention();
    }

    private async Task EnsureTopic()
    {
        if (await broker.Grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey).TryGetTopic(Topic) is null)
        {
            await broker.Grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey).CreateTopic(Topic, 1, 1, ImmutableDictionary<string, string>.Empty);
        }
    }

    private static MethodInfo Method(string name)
    {
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        var type = typeof(IPartitionGrain).Assembly.GetTypes().Single(t => t.Name == name[..dot] && t.IsInterface);
        return type.GetMethods().First(m => m.Name == name[(dot + 1)..] && Server.Security.ClusterInternalCallFilter.IsInternal(m));
    }

    /// <summary>Calls <paramref name="method"/> on a grain of its interface that activates fine, with harmless arguments.</summary>
    private static Task Call(IGrainFactory grains, MethodInfo method)
    {
        var type = method.DeclaringType!;
        object grain = type == typeof(IReplicaManagerGrain) ? grains.GetGrain<IReplicaManagerGrain>(0)
            : type == typeof(IFollowerGrain) ? grains.GetGrain<IFollowerGrain>(IFollowerGrain.Key(new TopicPartition(Topic, 0), 0))
            : type == typeof(IPartitionGrain) ? grains.GetPartitionGrain(Topic, 0)
            : type == typeof(ITopicGrain) ? grains.GetGrain<ITopicGrain>(Topic)
            : type == typeof(IConsumerGroupGrain) ? grains.GetGrain<IConsumerGroupGrain>("internal-calls-group")
            : type == typeof(IConsumerGroupDirectoryGrain) ? IConsumerGroupDirectoryGrain.Shard(grains, 0)
            : type == typeof(IMetadataGrain) ? grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey)
            : type == typeof(IProducerIdGrain) ? grains.GetGrain<IProducerIdGrain>(IProducerIdGrain.ClusterKey)
            : type == typeof(ICredentialStoreGrain) ? grains.GetGrain<ICredentialStoreGrain>(ICredentialStoreGrain.ClusterKey)
            : type == typeof(OrleansLog.Transactions.ITransactionCoordinatorGrain) ? grains.GetGrain<OrleansLog.Transactions.ITransactionCoordinatorGrain>("internal-calls-transaction")
            : type == typeof(OrleansLog.Transactions.ITransactionDirectoryGrain) ? grains.GetGrain<OrleansLog.Transactions.ITransactionDirectoryGrain>(OrleansLog.Transactions.ITransactionDirectoryGrain.ClusterKey)
            : type == typeof(OrleansLog.Connect.IConnectClusterGrain) ? grains.GetGrain<OrleansLog.Connect.IConnectClusterGrain>(OrleansLog.Connect.IConnectClusterGrain.ClusterKey)
            : type == typeof(OrleansLog.Connect.IConnectorGrain) ? grains.GetGrain<OrleansLog.Connect.IConnectorGrain>("internal-calls-connector")
            : type == typeof(OrleansLog.Connect.IConnectTaskGrain) ? grains.GetGrain<OrleansLog.Connect.IConnectTaskGrain>(new OrleansLog.Connect.ConnectTaskId("internal-calls-connector", 0).GrainKey)
            : throw new InvalidOperationException($"No grain of {type.Name} is set up for this test.");
        var arguments = method.GetParameters().Select(p => Harmless(p.ParameterType)).ToArray();
        return (Task)method.Invoke(grain, arguments)!;
    }

    private static object? Harmless(Type type) =>
        type == typeof(string) ? "x"
        : type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ImmutableArray<>) ? type.GetField("Empty")!.GetValue(null)
        : type.IsValueType ? Activator.CreateInstance(type)
        : null;
}
