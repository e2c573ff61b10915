using OrleansLog.Kafka.Hosting;

namespace OrleansLog.Kafka.Tests.Hosting;

/// <summary>Every rule of the Kafka listener's options validator, one bad value at a time; the defaults pass.</summary>
public class KafkaListenerOptionsValidatorTests
{
    public static TheoryData<string, Action<KafkaListenerOptions>> Bad => new()
    {
        { "ListenAddress", o => o.ListenAddress = "localhost" },
        { "Port", o => o.Port = 0 },
        { "Port", o => o.Port = 65536 },
        { "MaxRequestBytes", o => o.MaxRequestBytes = 100 },
        { "MaxInFlightRequestsPerConnection", o => o.MaxInFlightRequestsPerConnection = 0 },
        { "DefaultPartitions", o => o.DefaultPartitions = 0 },
        { "MaxConnections", o => o.MaxConnections = 0 },
        { "MaxConnectionsPerIp", o => o.MaxConnectionsPerIp = 0 },
        { "ConnectionsMaxIdle", o => o.ConnectionsMaxIdle = TimeSpan.Zero },
        { "FrameReadTimeout", o => o.FrameReadTimeout = TimeSpan.Zero },
        { "Listeners", o => o.Listeners = "127.0.0.1:9092" },
        { "Listeners", o => o.Listeners = "FOO://127.0.0.1:9092" },
        { "Listeners", o => o.Listeners = "SSL://127.0.0.1" },
        { "Listeners", o => o.Listeners = "PLAINTEXT://localhost:9092" },
        { "Listeners", o => o.Listeners = "PLAINTEXT://127.0.0.1:0" },
        { "Listeners", o => o.Listeners = "PLAINTEXT://127.0.0.1:9092,PLAINTEXT://127.0.0.1:9093" },
        { "Listeners", o => o.Listeners = "PLAINTEXT://127.0.0.1:9092,SASL_PLAINTEXT://0.0.0.0:9092" },
        { "Listeners", o => o.Listeners = "," },
        { "Sasl:Mechanisms", o => o.Sasl.Mechanisms = [] },
        { "Sasl:Mechanisms", o => o.Sasl.Mechanisms = ["GSSAPI"] },
        { "Sasl:FailedAuthenticationDelay", o => o.Sasl.FailedAuthenticationDelay = TimeSpan.FromSeconds(-1) },
        { "Sasl:MaxReauth", o => o.Sasl.MaxReauth = TimeSpan.FromSeconds(-1) },
    };

    [Fact]
    public void Listeners_are_read_as_kafka_writes_them()
    {
        var options = new KafkaListenerOptions { Listeners = "PLAINTEXT://127.0.0.1:9092, SASL_PLAINTEXT://[::1]:9093,SSL://0.0.0.0:9094,SASL_SSL://0.0.0.0:9095" };
        Assert.True(new KafkaListenerOptionsValidator().Validate(null, options).Succeeded);

        var endpoints = options.Endpoints();
        Assert.Equal(["PLAINTEXT", "SASL_PLAINTEXT", "SSL", "SASL_SSL"], endpoints.Select(e => e.Name));
        Assert.Equal("[::1]:9093", endpoints[1].EndPoint.ToString());
        Assert.Equal([false, true, false, true], endpoints.Select(e => e.UsesSasl));
        Assert.Equal([false, false, true, true], endpoints.Select(e => e.UsesTls));

        // Unset, the single PLAINTEXT listener of ListenAddress and Port.
        var single = Assert.Single(new KafkaListenerOptions { ListenAddress = "127.0.0.1", Port = 9100 }.Endpoints());
        Assert.Equal(("PLAINTEXT", "127.0.0.1:9100"), (single.Name, single.EndPoint.ToString()));
    }

    [Theory]
    [MemberData(nameof(Bad))]
    public void Listener_settings_are_refused_by_name(string setting, Action<KafkaListenerOptions> spoil)
    {
        var validator = new KafkaListenerOptionsValidator();
        var options = new KafkaListenerOptions();
        Assert.True(validator.Validate(null, options).Succeeded);

        spoil(options);

        var failure = Assert.Single(validator.Validate(null, options).Failures!);
        Assert.StartsWith($"OrleansLog:Kafka:{setting} ", failure, StringComparison.Ordinal);
    }
}
