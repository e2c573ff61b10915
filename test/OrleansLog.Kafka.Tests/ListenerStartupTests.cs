using System.Globalization;
using OrleansLog.Testing;

namespace OrleansLog.Kafka.Tests;

/// <summary>A broker whose Kafka port is taken, or whose TLS listener has no usable certificate, stops at start with one line saying so and what to change.</summary>
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

    [Fact]
    public async Task A_broker_with_a_tls_listener_and_no_certificate_exits_naming_the_settings()
    {
        using var data = new TempDirectory();
        var port = FreePort.Next().ToString(CultureInfo.InvariantCulture);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            SiloProcess.StartAsync(data.Sub("data"), TimeSpan.FromSeconds(60), [$"--OrleansLog:Kafka:Listeners=SASL_SSL://127.0.0.1:{port}", $"--OrleansLog:Tls:KeyPath={data.Sub("missing.key")}"]));

        Assert.Contains("exited with code 1", failure.Message, StringComparison.Ordinal);
        Assert.Contains("error: OrleansLog:Tls:CertificatePath must not be empty", failure.Message, StringComparison.Ordinal);
    }
}
