using System.Collections.Immutable;
using OrleansLog.Groups;
using OrleansLog.Metadata;
using OrleansLog.Partitions;
using OrleansLog.Producers;
using OrleansLog.Schemas;
using OrleansLog.Security;
using OrleansLog.Server.Security;
using OrleansLog.Server.Security.Sessions;

namespace OrleansLog.Server.Tests.Security;

/// <summary>Which ACL each client-facing grain method needs, where its resource's name comes from, and how listings are filtered.</summary>
public sealed class GrainAccessRuleTests
{
    [Theory]
    [InlineData(typeof(IPartitionGrain), nameof(IPartitionGrain.Produce), AclOperation.Write, AclResourceType.Topic)]
    [InlineData(typeof(IPartitionGrain), nameof(IPartitionGrain.Fetch), AclOperation.Read, AclResourceType.Topic)]
    [InlineData(typeof(IMetadataGrain), nameof(IMetadataGrain.CreateTopic), AclOperation.Create, AclResourceType.Topic)]
    [InlineData(typeof(IMetadataGrain), nameof(IMetadataGrain.DeleteTopic), AclOperation.Delete, AclResourceType.Topic)]
    [InlineData(typeof(IMetadataGrain), nameof(IMetadataGrain.AlterConfigs), AclOperation.AlterConfigs, AclResourceType.Topic)]
    [InlineData(typeof(IConsumerGroupGrain), nameof(IConsumerGroupGrain.CommitOffsets), AclOperation.Read, AclResourceType.Group)]
    [InlineData(typeof(IConsumerGroupGrain), nameof(IConsumerGroupGrain.Delete), AclOperation.Delete, AclResourceType.Group)]
    [InlineData(typeof(IProducerIdGrain), nameof(IProducerIdGrain.InitProducerId), AclOperation.IdempotentWrite, AclResourceType.Cluster)]
    [InlineData(typeof(IAclStoreGrain), nameof(IAclStoreGrain.Create), AclOperation.Alter, AclResourceType.Cluster)]
    [InlineData(typeof(ICredentialStoreGrain), nameof(ICredentialStoreGrain.Upsert), AclOperation.Alter, AclResourceType.Cluster)]
    [InlineData(typeof(ISchemaRegistryGrain), nameof(ISchemaRegistryGrain.Register), AclOperation.Write, AclResourceType.Topic)]
    [InlineData(typeof(IAccessCheckGrain), nameof(IAccessCheckGrain.MayWrite), AclOperation.Write, AclResourceType.Topic)]
    public void Client_facing_methods_need_kafkas_acl_for_the_same_request(Type grain, string method, AclOperation operation, AclResourceType type)
    {
        var rule = GrainAccessRule.For(grain.GetMethod(method)!);
        Assert.Equal(operation, rule.Requires?.Operation);
        Assert.Equal(type, rule.Requires?.Type);
    }

    [Fact]
    public void Creating_a_topic_is_allowed_by_create_on_the_cluster_too_and_an_idempotent_producer_by_write_on_any_topic()
    {
        Assert.Equal(AclOperation.Create, GrainAccessRule.For(typeof(IMetadataGrain).GetMethod(nameof(IMetadataGrain.CreateTopic))!).Requires!.OrOnCluster);
        Assert.True(GrainAccessRule.For(typeof(IProducerIdGrain).GetMethod(nameof(IProducerIdGrain.InitProducerId))!).Requires!.OrWriteOnAnyTopic);
    }

    [Fact]
    public void Sign_in_and_the_schema_lookup_by_id_need_no_acl()
    {
        Assert.True(GrainAccessRule.For(typeof(ISignInGrain).GetMethod(nameof(ISignInGrain.SignIn))!).IsOpen);
        Assert.True(GrainAccessRule.For(typeof(ISchemaRegistryGrain).GetMethod(nameof(ISchemaRegistryGrain.GetById))!).IsOpen);
    }

    [Fact]
    public void Resource_names_come_from_the_grain_key_the_partition_key_the_argument_or_the_subject()
    {
        var partition = GrainId.Create("partition", new TopicPartition("orders.eu", 3).GrainKey);
        Assert.Equal("orders.eu", GrainAccessRule.ResourceName(AclResourceSource.PartitionKeyTopic, partition, () => null));
        Assert.Equal("readers", GrainAccessRule.ResourceName(AclResourceSource.GrainKey, GrainId.Create("group", "readers"), () => null));
        Assert.Equal("payments", GrainAccessRule.ResourceName(AclResourceSource.FirstArgument, partition, () => "payments"));
        Assert.Equal(AclBinding.ClusterName, GrainAccessRule.ResourceName(AclResourceSource.Cluster, partition, () => null));
        Assert.Equal("orders", GrainAccessRule.ResourceName(AclResourceSource.SubjectTopic, partition, () => "orders-value"));
        Assert.Equal("orders", GrainAccessRule.SubjectTopic("orders-key"));
        Assert.Equal("orders.Record", GrainAccessRule.SubjectTopic("orders.Record"));
    }

    [Fact]
    public void Listings_keep_only_what_the_caller_may_describe()
    {
        var topics = GrainAccessRule.For(typeof(IMetadataGrain).GetMethod(nameof(IMetadataGrain.ListTopics))!);
        var listed = ImmutableArray.Create(Topic("a"), Topic("b"));
        Assert.Equal(["b"], ((ImmutableArray<TopicDescription>)topics.Filter(listed, name => name == "b")!).Select(t => t.Name));

        var groups = GrainAccessRule.For(typeof(IConsumerGroupDirectoryGrain).GetMethod(nameof(IConsumerGroupDirectoryGrain.List))!);
        Assert.Equal(["g2"], ((ImmutableArray<string>)groups.Filter(ImmutableArray.Create("g1", "g2"), name => name == "g2")!).ToArray());

        var subjects = GrainAccessRule.For(typeof(ISchemaRegistryGrain).GetMethod(nameof(ISchemaRegistryGrain.Subjects))!);
        Assert.Equal(["orders-value"], ((ImmutableArray<string>)subjects.Filter(ImmutableArray.Create("orders-value", "payments-value"), name => name == "orders")!).ToArray());
    }

    [Fact]
    public void A_refusal_carries_the_code_of_the_resource_type()
    {
        Assert.Equal(ErrorCode.TopicAuthorizationFailed, GrainAccessRule.RefusalCode(AclResourceType.Topic));
        Assert.Equal(ErrorCode.GroupAuthorizationFailed, GrainAccessRule.RefusalCode(AclResourceType.Group));
        Assert.Equal(ErrorCode.ClusterAuthorizationFailed, GrainAccessRule.RefusalCode(AclResourceType.Cluster));
    }

    [Fact]
    public void Session_and_bootstrap_settings_are_checked_at_start()
    {
        Assert.True(new SessionOptionsValidator().Validate(null, new SessionOptions { Lifetime = TimeSpan.FromSeconds(5) }).Failed);
        Assert.True(new SessionOptionsValidator().Validate(null, new SessionOptions { Lifetime = TimeSpan.FromDays(30) }).Failed);
        Assert.True(new SessionOptionsValidator().Validate(null, new SessionOptions { FailedSignInDelay = TimeSpan.FromMinutes(1) }).Failed);
        Assert.True(new SessionOptionsValidator().Validate(null, new SessionOptions()).Succeeded);
        Assert.True(new BootstrapUserOptionsValidator().Validate(null, new BootstrapUserOptions { User = "admin", Password = "short" }).Failed);
        Assert.True(new BootstrapUserOptionsValidator().Validate(null, new BootstrapUserOptions { User = "admin" }).Failed);
        Assert.True(new BootstrapUserOptionsValidator().Validate(null, new BootstrapUserOptions { User = "admin", Password = "long-enough" }).Succeeded);
        Assert.True(new BootstrapUserOptionsValidator().Validate(null, new BootstrapUserOptions()).Succeeded);
    }

    private static TopicDescription Topic(string name) => new(name, Guid.NewGuid(), 1, ImmutableSortedDictionary<string, string>.Empty, DateTimeOffset.UnixEpoch, 1, []);
}
