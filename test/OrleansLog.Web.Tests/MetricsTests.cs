using System.Net;
using OrleansLog.Testing;

namespace OrleansLog.Web.Tests;

/// <summary>The broker's Prometheus endpoint (OpenTelemetry): produce and fetch counts, bytes and durations per topic, partitions led and under-replicated, log size, and consumer lag.</summary>
public class MetricsTests(WebBrokerFixture broker) : IClassFixture<WebBrokerFixture>
{
    [Fact]
    public async Task Produces_fetches_log_size_and_consumer_lag_show_on_the_metrics_endpoint()
    {
        await broker.Send(HttpMethod.Post, $"{WebBrokerFixture.Cluster}/topics", new { TopicName = "api-metrics" });
        await broker.Send(HttpMethod.Post, $"{WebBrokerFixture.Cluster}/topics/api-metrics/records", new { Value = new { Data = "one" } });
        await broker.Send(HttpMethod.Post, $"{WebBrokerFixture.Cluster}/consumer-groups/api-metered/topics/api-metrics/records:consume");
        await broker.Send(HttpMethod.Post, $"{WebBrokerFixture.Cluster}/topics/api-metrics/records", new[] { new { Value = new { Data = "two" } }, new { Value = new { Data = "three" } } });

        var text = "";
        await Wait.Until(
            async () =>
            {
                text = await broker.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
                return text.Contains("orleanslog_consumer_lag{otel_scope_name=\"OrleansLog.Web\",group=\"api-metered\"} 2", StringComparison.Ordinal);
            },
            "the group's lag of 2 is exported",
            TimeSpan.FromSeconds(15),
            TimeSpan.FromMilliseconds(300));

        Assert.Matches("orleanslog_produce_requests_total\\{[^}]*error=\"NONE\"[^}]*topic=\"api-metrics\"\\} [1-9]", text);
        Assert.Matches("orleanslog_produce_bytes_total\\{[^}]*topic=\"api-metrics\"\\} [1-9]", text);
        Assert.Matches("orleanslog_produce_duration_milliseconds_count\\{[^}]*topic=\"api-metrics\"\\} [1-9]", text);
        Assert.Matches("orleanslog_fetch_requests_total\\{[^}]*topic=\"api-metrics\"\\} [1-9]", text);
        Assert.Matches("orleanslog_log_size_bytes\\{[^}]*\\} [1-9]", text);
        Assert.Matches("orleanslog_partitions_under_replicated\\{[^}]*\\} 0", text);
        Assert.Matches("orleanslog_partitions_led\\{[^}]*\\} [1-9]", text);
        Assert.Contains("http_server_request_duration_seconds", text, StringComparison.Ordinal);

        // The runtime's streams, kept to a few series each, still export.
        Assert.Matches("dotnet_gc_collections_total\\{[^}]*gc_heap_generation=\"gen0\"[^}]*\\} [0-9]", text);
    }

    [Fact]
    public async Task The_cleaner_exports_its_runs_bytes_and_dirty_ratio_and_the_topic_page_shows_policy_and_ratio()
    {
        var configs = new[]
        {
            new { Name = "cleanup.policy", Value = "compact" }, new { Name = "segment.bytes", Value = "1024" },
            new { Name = "min.cleanable.dirty.ratio", Value = "0.01" }, new { Name = "max.compaction.lag.ms", Value = "500" },
        };
        await broker.Send(HttpMethod.Post, $"{WebBrokerFixture.Cluster}/topics", new { TopicName = "api-compacted", Configs = configs });
        for (var i = 0; i < 40; i++)
        {
            await broker.Send(HttpMethod.Post, $"{WebBrokerFixture.Cluster}/topics/api-compacted/records", new { Key = new { Data = $"k{i % 3}" }, Value = new { Data = $"value {i}" } });
        }

        var text = "";
        await Wait.Until(
            async () =>
            {
                // A scrape reads one instrument after another, so a run and its bytes may show in different scrapes.
                text = await broker.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
                return text.Contains("orleanslog_cleaner_runs_total{otel_scope_name=\"OrleansLog\",outcome=\"cleaned\"}", StringComparison.Ordinal)
                    && System.Text.RegularExpressions.Regex.IsMatch(text, "orleanslog_cleaner_bytes_read_bytes_total\\{[^}]*\\} [1-9]");
            },
            "a cleaner run that cleaned something is exported with its bytes",
            TimeSpan.FromSeconds(30),
            TimeSpan.FromMilliseconds(300));
        Assert.Matches("orleanslog_cleaner_bytes_read_bytes_total\\{[^}]*\\} [1-9]", text);
        Assert.Matches("orleanslog_cleaner_dirty_ratio\\{[^}]*partition=\"0\"[^}]*topic=\"api-compacted\"[^}]*\\} [0-9.]+", text);
        Assert.Matches("orleanslog_cleaner_time_since_last_clean_seconds\\{[^}]*topic=\"api-compacted\"[^}]*\\} [0-9.]+", text);

        var page = await broker.Http.GetStringAsync(new Uri("/topics/api-compacted", UriKind.Relative));
        Assert.Contains("<span id=\"cleanup-policy\">compact</span>", page, StringComparison.Ordinal);
        Assert.Matches("<td class=\"num dirty-ratio\">[01]\\.[0-9]{2}</td>", page);
    }

    [Fact]
    public async Task Transactions_ended_show_by_outcome_and_cause()
    {
        await broker.Native.Admin.CreateTopicAsync("api-transactions", 1);
        await using var producer = broker.Native.CreateProducer<string, string>(new Client.Producing.ProducerConfig { TransactionalId = "api-metrics-tx" });
        await producer.InitTransactionsAsync();
        producer.BeginTransaction();
        await producer.ProduceAsync("api-transactions", new Client.Message<string, string> { Key = "k", Value = "v" });
        await producer.CommitTransactionAsync();
        producer.BeginTransaction();
        await producer.ProduceAsync("api-transactions", new Client.Message<string, string> { Key = "k", Value = "w" });
        await producer.AbortTransactionAsync();

        var commit = new System.Text.RegularExpressions.Regex("orleanslog_transactions_ended_total\\{[^}]*cause=\"client\"[^}]*outcome=\"commit\"[^}]*\\} [1-9]");
        var abort = new System.Text.RegularExpressions.Regex("orleanslog_transactions_ended_total\\{[^}]*cause=\"client\"[^}]*outcome=\"abort\"[^}]*\\} [1-9]");
        await Wait.Until(
            async () =>
            {
                var text = await broker.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
                return commit.IsMatch(text) && abort.IsMatch(text);
            },
            "a committed and an aborted transaction are exported",
            TimeSpan.FromSeconds(15),
            TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task The_health_endpoints_answer()
    {
        Assert.Equal(HttpStatusCode.OK, (await broker.Http.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await broker.Http.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode);
    }
}
