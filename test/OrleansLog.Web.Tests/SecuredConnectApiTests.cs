namespace OrleansLog.Web.Tests;

/// <summary>Kafka Connect's REST API under the broker's ACLs: connectors act with the cluster's authority, so reading them needs DESCRIBE on the cluster and changing them ALTER.</summary>
public sealed class SecuredConnectApiTests(SecuredWebFixture broker) : IClassFixture<SecuredWebFixture>
{
    private static readonly object Source = new { name = "sec-connector", config = new Dictionary<string, string> { ["connector.class"] = "FileStreamSource", ["file"] = "/tmp/x", ["topic"] = "sec-x" } };

    [Fact]
    public async Task An_anonymous_caller_is_asked_to_sign_in()
    {
        var (response, body) = await broker.Send(HttpMethod.Get, "/connectors");

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(JsonValueKindObject, body.ValueKind);
    }

    [Fact]
    public async Task Describe_on_the_cluster_reads_connectors_but_creating_one_needs_alter()
    {
        var (listed, _) = await broker.Send(HttpMethod.Get, "/connectors", SecuredWebFixture.Alice);
        var (created, refusal) = await broker.Send(HttpMethod.Post, "/connectors", SecuredWebFixture.Alice, Source);

        Assert.Equal(System.Net.HttpStatusCode.OK, listed.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, created.StatusCode);
        Assert.Equal("CLUSTER_AUTHORIZATION_FAILED", refusal.GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_user_no_ACL_names_can_neither_read_nor_change_connectors()
    {
        var (listed, refusal) = await broker.Send(HttpMethod.Get, "/connectors", SecuredWebFixture.Bob);
        var (validated, _) = await broker.Send(HttpMethod.Put, "/connector-plugins/FileStreamSource/config/validate", SecuredWebFixture.Bob, new Dictionary<string, string>());
        var (deleted, _) = await broker.Send(HttpMethod.Delete, "/connectors/anything", SecuredWebFixture.Bob);

        Assert.Equal(System.Net.HttpStatusCode.Forbidden, listed.StatusCode);
        Assert.Equal("CLUSTER_AUTHORIZATION_FAILED", refusal.GetProperty("title").GetString());
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, validated.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, deleted.StatusCode);
    }

    private const System.Text.Json.JsonValueKind JsonValueKindObject = System.Text.Json.JsonValueKind.Object;
}
