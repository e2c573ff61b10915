using OrleansLog.Brokers;

namespace OrleansLog.Kafka.Tests.Hosting;

/// <summary>How a broker's advertised listeners are stored with the coordinator and read back per listener.</summary>
public class KafkaEndpointTests
{
    [Fact]
    public void One_plaintext_listener_keeps_the_host_and_port_form_written_before_listeners_had_names()
    {
        var stored = KafkaEndpoint.Format([("PLAINTEXT", "10.0.0.5", 9092)]);
        Assert.Equal("10.0.0.5:9092", stored);
        Assert.True(KafkaEndpoint.TryParse(stored, "PLAINTEXT", out var host, out var port));
        Assert.Equal(("10.0.0.5", 9092), (host, port));
        Assert.False(KafkaEndpoint.TryParse(stored, "SASL_PLAINTEXT", out _, out _));
    }

    [Fact]
    public void Several_listeners_are_stored_as_advertised_listeners_and_each_is_found_by_name()
    {
        var stored = KafkaEndpoint.Format([("PLAINTEXT", "10.0.0.5", 9092), ("SASL_PLAINTEXT", "broker-0.example", 9093)]);
        Assert.Equal("PLAINTEXT://10.0.0.5:9092,SASL_PLAINTEXT://broker-0.example:9093", stored);

        Assert.True(KafkaEndpoint.TryParse(stored, "SASL_PLAINTEXT", out var host, out var port));
        Assert.Equal(("broker-0.example", 9093), (host, port));
        Assert.True(KafkaEndpoint.TryParse(stored, out host, out port));
        Assert.Equal(("10.0.0.5", 9092), (host, port));
        Assert.False(KafkaEndpoint.TryParse(stored, "SASL_SSL", out _, out _));
        Assert.False(KafkaEndpoint.TryParse("PLAINTEXT://no-port", "PLAINTEXT", out _, out _));
        Assert.False(KafkaEndpoint.TryParse(null, out _, out _));
    }
}
