using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansLog.Client;
using OrleansLog.Client.Hosting;

namespace OrleansLog.EndToEnd.Tests;

/// <summary>An application that registers the client with one call and talks to a broker process.</summary>
public class ClientHostingTests(BrokerProcessFixture broker) : IClassFixture<BrokerProcessFixture>
{
    [Fact]
    public async Task AddOrleansLogClient_connects_to_the_gateways_it_is_given()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddOrleansLogClient(options => options.Gateways.Add(broker.Silo.Gateway));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var client = host.Services.GetRequiredService<OrleansLogClient>();
            await client.Admin.CreateTopicAsync("hosted", 1);
            await using (var producer = client.CreateProducer<string, string>())
            {
                Assert.Equal(0, (await producer.ProduceAsync("hosted", new Message<string, string> { Key = "k", Value = "hello" })).Offset);
            }

            using var consumer = client.CreateConsumer<string, string>();
            consumer.Assign([new TopicPartitionOffset("hosted", 0, Offsets.Beginning)]);
            Assert.Equal("hello", consumer.Consume(TimeSpan.FromSeconds(10))!.Message.Value);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public void A_gateway_that_is_not_host_and_port_is_refused()
    {
        var services = new ServiceCollection();
        Assert.Throws<ArgumentException>(() => services.AddOrleansLogClient(options => options.Gateways.Add("no-port")));
    }
}
