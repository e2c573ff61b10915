using System.Diagnostics;
using System.Net;
using System.Text;
using OrleansLog.Testing;

namespace OrleansLog.Web.Tests;

/// <summary>The front end as its own process: an Orleans client of the broker's gateway, serving the same API.</summary>
public class StandaloneFrontEndTests(WebBrokerFixture broker) : IClassFixture<WebBrokerFixture>
{
    [Fact]
    public async Task The_front_end_on_its_own_serves_the_brokers_topics_and_produces_to_them()
    {
        await broker.Native.Admin.CreateTopicAsync("api-standalone", 1);
        var port = FreePort.Next();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { RepoPaths.WebDll, "--urls", $"http://127.0.0.1:{port}", "--OrleansLog:Web:Gateways:0", broker.Silo.Gateway })
        {
            start.ArgumentList.Add(argument);
        }

        var output = new StringBuilder();
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
            await Wait.Until(async () => (await http.GetAsync(new Uri("/v3/clusters", UriKind.Relative))).IsSuccessStatusCode, "the front end answers", TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(200));

            var topics = await http.GetStringAsync(new Uri("/v3/clusters/orleanslog/topics", UriKind.Relative));
            Assert.Contains("\"topic_name\":\"api-standalone\"", topics, StringComparison.Ordinal);
            using var produce = new StringContent("""{"value":{"type":"STRING","data":"via the front end"}}""", Encoding.UTF8, "application/json");
            var produced = await http.PostAsync(new Uri("/v3/clusters/orleanslog/topics/api-standalone/records", UriKind.Relative), produce);
            Assert.Equal(HttpStatusCode.OK, produced.StatusCode);
            Assert.Contains("web front end on", output.ToString(), StringComparison.Ordinal);
            Assert.Contains("http_server_request_duration_seconds", await http.GetStringAsync(new Uri("/metrics", UriKind.Relative)), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/", UriKind.Relative))).StatusCode);
            var ready = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        var described = await broker.Native.Admin.DescribeTopicAsync("api-standalone");
        Assert.Equal(1, described.Partitions[0].HighWatermark);
    }
}
