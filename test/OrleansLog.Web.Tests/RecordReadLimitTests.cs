using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Confluent.Kafka;
using Message = Confluent.Kafka.Message<Confluent.Kafka.Null, string>;
using OrleansLog.Testing;
using Xunit.Abstractions;

namespace OrleansLog.Web.Tests;

/// <summary>
/// The front end cannot starve the broker: record reads past <c>OrleansLog:Web:MaxConcurrentReads</c> (4
/// here) are refused at once with 429 problem+json, in the REST API and the message browser, while a
/// producer on the Kafka listener keeps working; its latency with and without the flood is written to the
/// test output (measured, not asserted: these machines are noisy). Aborted reads give their place back.
/// </summary>
public sealed class RecordReadLimitTests(RecordReadLimitTests.ThrottledBroker broker, ITestOutputHelper output) : IClassFixture<RecordReadLimitTests.ThrottledBroker>
{
    private const int Limit = 4;
    private const string SlowTopic = "nothing-to-read";
    private const string ProducedTopic = "produced-under-flood";

    [Fact]
    public async Task Reads_past_the_limit_get_429_while_a_Kafka_producer_keeps_its_latency()
    {
        await broker.Native.Admin.CreateTopicAsync(SlowTopic, 1);
        await broker.Native.Admin.CreateTopicAsync(ProducedTopic, 1);
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = broker.Silo.KafkaBootstrap, Acks = Acks.All, LingerMs = 0 }).Build();
        await producer.ProduceAsync(ProducedTopic, new Message { Value = "warm-up" });
        var quiet = await ProduceLatencies(producer, 50);

        // The new partition answers first: a slow read sent while its leader is still being placed would come
        // back at once (LEADER_NOT_AVAILABLE) and give its place back.
        await Wait.Until(async () => (await Read(timeoutMs: 0)).Response.StatusCode == HttpStatusCode.OK, "the empty partition answers reads");

        // Slow reads: each waits up to 30 s for a record on an empty partition, holding its place.
        using var slowReads = new CancellationTokenSource();
        Task<HttpResponseMessage> SlowRead() => broker.Http.GetAsync($"{WebBrokerFixture.Cluster}/topics/{SlowTopic}/partitions/0/records?timeout_ms=30000", slowReads.Token);
        var slow = Enumerable.Range(0, Limit).Select(_ => SlowRead()).ToList();
        await Wait.Until(
            async () =>
            {
                // The probe below is a read too: a slow read that reached the broker while a probe held a place was
                // refused by the probe's doing, not the limit's, and is sent again (CI saw this race).
                for (var i = 0; i < slow.Count; i++)
                {
                    if (slow[i].IsCompletedSuccessfully && slow[i].Result.StatusCode == HttpStatusCode.TooManyRequests)
                    {
                        slow[i].Result.Dispose();
                        slow[i] = SlowRead();
                    }
                }

                return (await Read(timeoutMs: 0)).Response.StatusCode == HttpStatusCode.TooManyRequests || slow.Any(read => read.IsCompleted && !(read.IsCompletedSuccessfully && read.Result.StatusCode == HttpStatusCode.TooManyRequests));
            },
            "the slow reads to take every place");
        Assert.All(slow, read => Assert.False(read.IsCompleted, $"a slow read came back early: {(read.IsCompletedSuccessfully ? read.Result.StatusCode.ToString() : read.Exception?.Message)}"));

        var flood = Enumerable.Range(0, 50).Select(_ => Read(timeoutMs: 30_000)).ToList();
        var floodedLatencies = await ProduceLatencies(producer, 50);
        var refused = await Task.WhenAll(flood);

        Assert.All(refused, answer => ProblemAssert.Is(HttpStatusCode.TooManyRequests, "THROTTLING_QUOTA_EXCEEDED", answer));
        Assert.All(refused, answer => Assert.Equal("1", answer.Response.Headers.RetryAfter?.ToString()));
        using (var page = await broker.Http.GetAsync($"/topics/{SlowTopic}/messages"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, page.StatusCode);
            Assert.Contains("THROTTLING_QUOTA_EXCEEDED", await page.Content.ReadAsStringAsync());
        }

        output.WriteLine($"Kafka produce latency (acks=all, one record at a time), 50 produces each: quiet median {Median(quiet):F2} ms, max {quiet.Max():F2} ms; under a flood of {Limit} slow and 50 refused REST reads median {Median(floodedLatencies):F2} ms, max {floodedLatencies.Max():F2} ms.");

        await slowReads.CancelAsync();
        await Task.WhenAll(slow.Select(async read => await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read)));
        await Wait.Until(async () => (await Read(timeoutMs: 0)).Response.StatusCode == HttpStatusCode.OK, "the aborted reads to give their places back");
    }

    private Task<(HttpResponseMessage Response, JsonElement Body)> Read(int timeoutMs) =>
        broker.Send(HttpMethod.Get, $"{WebBrokerFixture.Cluster}/topics/{SlowTopic}/partitions/0/records?timeout_ms={timeoutMs}");

    private static async Task<List<double>> ProduceLatencies(IProducer<Null, string> producer, int count)
    {
        var latencies = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var delivered = await producer.ProduceAsync(ProducedTopic, new Message { Value = $"record {i}" });
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            Assert.Equal(PersistenceStatus.Persisted, delivered.Status);
        }

        return latencies;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    /// <summary>A broker process whose front end serves at most <see cref="Limit"/> record reads at once.</summary>
    public sealed class ThrottledBroker : WebBrokerFixture
    {
        protected override IReadOnlyList<string> BrokerArguments => ["--OrleansLog:Web:MaxConcurrentReads", Limit.ToString(System.Globalization.CultureInfo.InvariantCulture)];
    }
}
