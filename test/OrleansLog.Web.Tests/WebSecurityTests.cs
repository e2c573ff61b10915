using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace OrleansLog.Web.Tests;

/// <summary>
/// Every REST, schema registry and console route on a broker that checks ACLs: without credentials it is 401
/// problem+json (a console page sends the browser to the sign-in page instead), with credentials the ACLs do not allow
/// it is 403, and with credentials they allow it works. Listings answer 200 with only what the user may see.
/// </summary>
public sealed class WebSecurityTests(SecuredWebFixture broker) : IClassFixture<SecuredWebFixture>
{
    private const string Cluster = WebBrokerFixture.Cluster;
    private const string Schema = """{"schema":"{\"type\":\"object\"}","schemaType":"JSON"}""";

    /// <summary>A route, what it sends, and the status alice gets; in the order they run (each may need what the one before made).</summary>
    private static readonly (string Method, string Path, object? Body, string? Raw, HttpStatusCode Allowed)[] Routes =
    [
        ("GET", "/v3/clusters", null, null, HttpStatusCode.OK),
        ("GET", Cluster, null, null, HttpStatusCode.OK),
        ("GET", $"{Cluster}/brokers", null, null, HttpStatusCode.OK),
        ("GET", $"{Cluster}/brokers/{{broker}}", null, null, HttpStatusCode.OK),
        ("POST", $"{Cluster}/topics", new { TopicName = "sec-orders", PartitionsCount = 1 }, null, HttpStatusCode.Created),
        ("GET", $"{Cluster}/topics/sec-orders", null, null, HttpStatusCode.OK),
        ("PATCH", $"{Cluster}/topics/sec-orders", new { PartitionsCount = 2 }, null, HttpStatusCode.OK),
        ("GET", $"{Cluster}/topics/sec-orders/partitions", null, null, HttpStatusCode.OK),
        ("GET", $"{Cluster}/topics/sec-orders/configs", null, null, HttpStatusCode.OK),
        ("POST", $"{Cluster}/topics/sec-orders/configs:alter", new { Data = new[] { new { Name = "retention.ms", Value = "600000" } } }, null, HttpStatusCode.OK),
        ("POST", $"{Cluster}/topics/sec-orders/records", new { PartitionId = 0, Value = new { Data = "one" } }, null, HttpStatusCode.OK),
        ("GET", $"{Cluster}/topics/sec-orders/partitions/0/records?timeout_ms=200", null, null, HttpStatusCode.OK),
        ("POST", $"{Cluster}/consumer-groups/sec-readers/topics/sec-orders/records:consume?timeout_ms=200", null, null, HttpStatusCode.OK),
        ("GET", $"{Cluster}/consumer-groups/sec-readers", null, null, HttpStatusCode.OK),
        ("GET", $"{Cluster}/consumer-groups/sec-readers/lags", null, null, HttpStatusCode.OK),
        ("POST", $"{Cluster}/consumer-groups/sec-readers/offsets:reset", new { TopicName = "sec-orders", To = "earliest" }, null, HttpStatusCode.OK),
        ("DELETE", $"{Cluster}/consumer-groups/sec-readers", null, null, HttpStatusCode.NoContent),
        ("POST", "/subjects/sec-orders-value/versions", null, Schema, HttpStatusCode.OK),
        ("GET", "/subjects/sec-orders-value/versions", null, null, HttpStatusCode.OK),
        ("GET", "/subjects/sec-orders-value/versions/1", null, null, HttpStatusCode.OK),
        ("GET", "/subjects/sec-orders-value/versions/1/schema", null, null, HttpStatusCode.OK),
        ("POST", "/subjects/sec-orders-value", null, Schema, HttpStatusCode.OK),
        ("POST", "/compatibility/subjects/sec-orders-value/versions/latest", null, Schema, HttpStatusCode.OK),
        ("PUT", "/config", null, """{"compatibility":"BACKWARD"}""", HttpStatusCode.OK),
        ("PUT", "/config/sec-orders-value", null, """{"compatibility":"BACKWARD"}""", HttpStatusCode.OK),
        ("DELETE", "/subjects/sec-orders-value", null, null, HttpStatusCode.OK),
        ("GET", "/topics/sec-orders", null, null, HttpStatusCode.OK),
        ("GET", "/topics/sec-orders/messages?partition=0", null, null, HttpStatusCode.OK),
        ("DELETE", $"{Cluster}/topics/sec-orders", null, null, HttpStatusCode.NoContent),
    ];

    [Fact]
    public async Task Each_route_is_401_without_credentials_403_without_the_acl_and_served_with_it()
    {
        var brokerId = (await broker.Send(HttpMethod.Get, $"{Cluster}/brokers", SecuredWebFixture.Alice)).Body.GetProperty("data")[0].GetProperty("broker_id").GetInt32();
        foreach (var (method, template, body, raw, allowed) in Routes)
        {
            var path = template.Replace("{broker}", brokerId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
            var verb = new HttpMethod(method);
            var console = !path.StartsWith("/v3", StringComparison.Ordinal) && !path.StartsWith("/subjects", StringComparison.Ordinal)
                && !path.StartsWith("/config", StringComparison.Ordinal) && !path.StartsWith("/compatibility", StringComparison.Ordinal);

            if (console)
            {
                using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = broker.Http.BaseAddress };
                using var redirected = await noRedirects.SendAsync(new HttpRequestMessage(verb, path));
                Assert.True(redirected.StatusCode == HttpStatusCode.Redirect, $"{method} {path} anonymously: {(int)redirected.StatusCode}");
                Assert.StartsWith("/signin", redirected.Headers.Location?.AbsolutePath ?? redirected.Headers.Location?.OriginalString, StringComparison.Ordinal);
            }
            else
            {
                var anonymous = await broker.Send(verb, path, authorization: null, body, raw);
                ProblemAssert.Is(HttpStatusCode.Unauthorized, "SASL_AUTHENTICATION_FAILED", anonymous);
                Assert.Contains("Basic", anonymous.Response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
            }

            var wrongPassword = await broker.Send(verb, path, SecuredWebFixture.Basic("alice", "not-hers"), body, raw);
            Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword.Response.StatusCode);

            var bob = await broker.Send(verb, path, SecuredWebFixture.Bob, body, raw);
            Assert.True(bob.Response.StatusCode == HttpStatusCode.Forbidden, $"{method} {path} as bob: {(int)bob.Response.StatusCode}");
            if (!console)
            {
                Assert.Equal("application/problem+json", bob.Response.Content.Headers.ContentType?.MediaType);
                Assert.EndsWith("AUTHORIZATION_FAILED", bob.Body.GetProperty("title").GetString(), StringComparison.Ordinal);
            }

            var alice = await broker.Send(verb, path, SecuredWebFixture.Alice, body, raw);
            Assert.True(alice.Response.StatusCode == allowed, $"{method} {path} as alice: {(int)alice.Response.StatusCode} {Describe(alice.Body)}");
        }
    }

    [Fact]
    public async Task Listings_show_each_user_only_what_its_acls_let_it_describe()
    {
        await broker.Native.Admin.CreateTopicAsync("sec-listed", 1);
        await broker.Native.Admin.CreateTopicAsync("other-hidden", 1);
        var topics = $"{Cluster}/topics";

        var alice = Names((await broker.Send(HttpMethod.Get, topics, SecuredWebFixture.Alice)).Body, "topic_name");
        Assert.Contains("sec-listed", alice);
        Assert.DoesNotContain("other-hidden", alice);
        Assert.Empty(Names((await broker.Send(HttpMethod.Get, topics, SecuredWebFixture.Bob)).Body, "topic_name"));
        ProblemAssert.Is(HttpStatusCode.Unauthorized, "SASL_AUTHENTICATION_FAILED", await broker.Send(HttpMethod.Get, topics));

        Assert.Empty(Names((await broker.Send(HttpMethod.Get, $"{Cluster}/consumer-groups", SecuredWebFixture.Bob)).Body, "consumer_group_id"));
        var subjects = await broker.Send(HttpMethod.Get, "/subjects", SecuredWebFixture.Bob);
        Assert.Equal(HttpStatusCode.OK, subjects.Response.StatusCode);
        Assert.Equal(0, subjects.Body.GetArrayLength());

        // The console's overview: alice sees her topic; bob sees none, and not the brokers (that needs DESCRIBE on the cluster).
        var overview = await Page("/", SecuredWebFixture.Alice);
        Assert.Contains("sec-listed", overview, StringComparison.Ordinal);
        Assert.DoesNotContain("other-hidden", overview, StringComparison.Ordinal);
        var bobs = await Page("/", SecuredWebFixture.Bob);
        Assert.DoesNotContain("sec-listed", bobs, StringComparison.Ordinal);
        Assert.Contains("brokers-hidden", bobs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_probes_answer_without_credentials_and_the_metrics_do_not()
    {
        Assert.Equal(HttpStatusCode.OK, (await broker.Http.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await broker.Http.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await broker.Http.GetAsync(new Uri("/metrics", UriKind.Relative))).StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = SecuredWebFixture.Bob } };
        Assert.Equal(HttpStatusCode.OK, (await broker.Http.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task A_malformed_or_unknown_authorization_header_is_401()
    {
        foreach (var header in new[] { new AuthenticationHeaderValue("Basic", "not base64!"), new AuthenticationHeaderValue("Basic", "bm9jb2xvbg=="), new AuthenticationHeaderValue("Digest", "x"), new AuthenticationHeaderValue("Bearer", "not.a.jwt") })
        {
            ProblemAssert.Is(HttpStatusCode.Unauthorized, "SASL_AUTHENTICATION_FAILED", await broker.Send(HttpMethod.Get, "/v3/clusters", header));
        }
    }

    private async Task<string> Page(string path, AuthenticationHeaderValue authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Authorization = authorization } };
        using var response = await broker.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static List<string> Names(JsonElement list, string property) =>
        [.. list.GetProperty("data").EnumerateArray().Select(e => e.GetProperty(property).GetString()!)];

    private static string Describe(JsonElement body) => body.ValueKind == JsonValueKind.Undefined ? "" : body.ToString();
}
