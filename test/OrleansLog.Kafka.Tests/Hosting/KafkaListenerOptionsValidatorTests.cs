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
    };

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
