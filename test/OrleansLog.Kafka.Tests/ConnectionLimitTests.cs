using System.Globalization;
using OrleansLog.Testing;

namespace OrleansLog.Kafka.Tests;

/// <summary>
/// The listener's connection limits, each on a broker process started with small settings: beyond
/// <c>max.connections.per.ip</c> or <c>max.connections</c> a connection is refused with one logged line while
/// the admitted ones keep working; a client that starts a frame and stalls, or stays silent, is closed.
/// Connections come from several loopback addresses (127.0.0.x), as from several clients.
/// </summary>
public sealed class ConnectionLimitTests : IAsyncLifetime
{
    private static readonly TimeSpan Answer = TimeSpan.FromSeconds(10);

    private readonly TempDirectory _data = new();
    private SiloProcess _limited = null!;

    public async Task InitializeAsync() =>
        _limited = await SiloProcess.StartAsync(_data.Sub("limited"), extraArguments: ["--OrleansLog:Kafka:MaxConnectionsPerIp=3", "--OrleansLog:Kafka:MaxConnections=4"]);

    [Fact]
    public async Task Connections_beyond_the_per_address_and_total_limits_are_refused_and_the_admitted_keep_working()
    {
        var admitted = new List<RawKafkaConnection>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                admitted.Add(await RawKafkaConnection.OpenAsync(_limited.KafkaPort));
                Assert.True(await admitted[^1].AnswersAsync(Answer));
            }

            using (var fourthFromOneAddress = await RawKafkaConnection.OpenAsync(_limited.KafkaPort))
            {
                Assert.True(await fourthFromOneAddress.IsClosedByBrokerAsync(Answer));
            }

            admitted.Add(await RawKafkaConnection.OpenAsync(_limited.KafkaPort, from: "127.0.0.2"));
            Assert.True(await admitted[^1].AnswersAsync(Answer));
            using (var fifthInAll = await RawKafkaConnection.OpenAsync(_limited.KafkaPort, from: "127.0.0.3"))
            {
                Assert.True(await fifthInAll.IsClosedByBrokerAsync(Answer));
            }

            foreach (var connection in admitted)
            {
                Assert.True(await connection.AnswersAsync(Answer));
            }

            await Wait.Until(() => _limited.Output.Contains("max.connections.per.ip 3", StringComparison.Ordinal) && _limited.Output.Contains("(max.connections 4)", StringComparison.Ordinal), "both refusals are logged");
        }
        finally
        {
            admitted.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task A_closed_connection_frees_its_place()
    {
        for (var round = 0; round < 3; round++)
        {
            var connections = new List<RawKafkaConnection>();
            for (var i = 0; i < 3; i++)
            {
                connections.Add(await RawKafkaConnection.OpenAsync(_limited.KafkaPort, from: "127.0.0.4"));
            }

            Assert.True(await connections[^1].AnswersAsync(Answer));
            connections.ForEach(c => c.Dispose());
            await Wait.Until(
                async () =>
                {
                    using var probe = await RawKafkaConnection.OpenAsync(_limited.KafkaPort, from: "127.0.0.4");
                    return await probe.AnswersAsync(TimeSpan.FromSeconds(2));
                },
                "the closed connections' places are free again");
        }
    }

    [Fact]
    public async Task A_client_that_starts_a_frame_and_stalls_or_stays_silent_is_closed()
    {
        await using var strict = await SiloProcess.StartAsync(_data.Sub("strict"), extraArguments: ["--OrleansLog:Kafka:FrameReadTimeout=00:00:01", "--OrleansLog:Kafka:ConnectionsMaxIdle=00:00:02"]);
        using var stalled = await RawKafkaConnection.OpenAsync(strict.KafkaPort);
        using var silent = await RawKafkaConnection.OpenAsync(strict.KafkaPort);

        var frame = RawKafkaConnection.Frame(OrleansLog.Kafka.Protocol.ApiKey.ApiVersions, 0, correlationId: 1);
        await stalled.SendAsync(frame[..7]);

        Assert.True(await stalled.IsClosedByBrokerAsync(Answer));
        Assert.True(await silent.IsClosedByBrokerAsync(Answer));
        await Wait.Until(
            () => strict.Output.Contains("it left a request frame unfinished for 1000 ms", StringComparison.Ordinal) && strict.Output.Contains("it sent nothing for 2000 ms", StringComparison.Ordinal),
            "both closes are logged");
    }

    public async Task DisposeAsync()
    {
        await _limited.DisposeAsync();
        _data.Dispose();
    }
}
