using System.Globalization;
using OrleansLog.Testing;

namespace OrleansLog.Kafka.Tests;

/// <summary>A broker whose Kafka port is taken stops at start with one line saying so and what to change.</summary>
public class ListenerStartupTests(KafkaBrokerFixture broker) : IClassFixture<KafkaBrokerFixture>
{
    [Fact]
    public async Task A_broker_whose_Kafka_port_is_taken_exits_with_a_one_line_reason()
    {
        using var data = new TempDirectory();

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            SiloProcess.StartAsync(data.Sub("data"), TimeSpan.FromSeconds(60), ["--kafka-port", broker.Silo.KafkaPort.ToString(CultureInfo.InvariantCulture)]));

        Assert.Contains("exited with code 1", failure.Message, StringComparison.Ordinal);
        Assert.Contains($"error: the Kafka listener cannot listen on 127.0.0.1:{broker.Silo.KafkaPort}", failure.Message, StringComparison.Ordinal);
        Assert.Contains("--kafka-port", failure.Message, StringComparison.Ordinal);
    }
}
