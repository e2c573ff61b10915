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

            Assert.True(await RawKafkaConnection.IsRefusedAsync(_limited.KafkaPort, from: null, Answer), "a fourth connection from one address was kept");

            admitted.Add(await RawKafkaConnection.OpenAsync(_limited.KafkaPort, from: "127.0.0.2"));
            Assert.True(await admitted[^1].AnswersAsync(Answer));
            Assert.True(await RawKafkaConnection.IsRefusedAsync(_limited.KafkaPort, from: "127.0.0.3", Answer), "a fifth connection in all was kept");

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
        var open = new List<RawKafkaConnection>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                open.Add(await RawKafkaConnection.OpenAsync(_limited.KafkaPort, from: "127.0.0.4"));
                Assert.True(await open[^1].AnswersAsync(Answer));
            }

            for (var round = 0; round < 3; round++)
            {
                Assert.True(await RawKafkaConnection.IsRefusedAsync(_limited.KafkaPort, from: "127.0.0.4", Answer), "a fourth connection from one address was kept");
                open[0].Dispose();
                open.RemoveAt(0);
                await Wait.Until(
                    async () =>
                    {
                        var next = await RawKafkaConnection.OpenAsync(_limited.KafkaPort, from: "127.0.0.4");
                        if (await next.AnswersAsync(TimeSpan.FromSeconds(2)))
                        {
                            open.Add(next);
                            return true;
                        }

                        next.Dispose();
                        return false;
                    },
                    "the closed connection's place is taken by a new one");
            }
        }
        finally
        {
            open.ForEach(c => c.Dispose());
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
