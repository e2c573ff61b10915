using Microsoft.Extensions.Configuration;
using OrleansLog.Silo.Hosting;

namespace OrleansLog.Cluster.Tests;

/// <summary>The cluster settings rules that need no process: the broker id a Kubernetes pod takes, and how modes resolve.</summary>
public class ClusterSettingsTests
{
    [Theory]
    [InlineData("orleanslog-0", 0)]
    [InlineData("orleanslog-2", 2)]
    [InlineData("my-brokers-17", 17)]
    public void A_stateful_set_pod_is_the_broker_of_its_ordinal(string podName, int brokerId) =>
        Assert.Equal(brokerId, ClusterSettings.BrokerIdFromPodName(podName));

    [Theory]
    [InlineData(null)]
    [InlineData("orleanslog")]
    [InlineData("orleanslog-web-5d8f9")]
    [InlineData("orleanslog-12345678901")]
    public void A_pod_name_without_an_ordinal_gives_no_broker_id(string? podName) =>
        Assert.Null(ClusterSettings.BrokerIdFromPodName(podName));

    [Fact]
    public void Embedded_mode_needs_no_connection_and_advertises_loopback()
    {
        var settings = ClusterSettings.Read(new ConfigurationBuilder().Build());
        Assert.Equal(ClusterMode.Embedded, settings.Mode);
        Assert.Equal(System.Net.IPAddress.Loopback, settings.AdvertisedAddress);
    }

    [Fact]
    public void The_connection_string_may_come_from_connection_strings()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OrleansLog:Cluster:Mode"] = "adonet",
            ["ConnectionStrings:OrleansLog"] = "Host=db;Database=orleanslog",
            ["OrleansLog:Cluster:AdvertisedAddress"] = "10.0.0.7",
        }).Build();
        var settings = ClusterSettings.Read(configuration);
        Assert.Equal(ClusterMode.AdoNet, settings.Mode);
        Assert.Equal("Host=db;Database=orleanslog", settings.ConnectionString);
        Assert.Equal("10.0.0.7", settings.AdvertisedAddress.ToString());
    }

    [Fact]
    public void The_settings_never_show_the_connection_string_with_its_password()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OrleansLog:Cluster:Mode"] = "adonet",
            ["OrleansLog:Cluster:ConnectionString"] = "Host=db;Database=orleanslog;Username=u;Password=hunter2;SSL Mode=VerifyFull",
            ["OrleansLog:Cluster:AdvertisedAddress"] = "10.0.0.7",
        }).Build();
        var shown = ClusterSettings.Read(configuration).ToString();
        Assert.DoesNotContain("hunter2", shown, StringComparison.Ordinal);
        Assert.Contains("(set, not shown)", shown, StringComparison.Ordinal);
    }

    [Fact]
    public void Kubernetes_mode_without_a_connection_string_is_refused_naming_both_settings()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["OrleansLog:Cluster:Mode"] = "Kubernetes" }).Build();
        var error = Assert.Throws<ClusterConfigurationException>(() => ClusterSettings.Read(configuration));
        Assert.Contains("OrleansLog:Cluster:ConnectionString or ConnectionStrings:OrleansLog", error.Message, StringComparison.Ordinal);
    }
}
