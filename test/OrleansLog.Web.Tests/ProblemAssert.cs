using System.Net;
using System.Text.Json;

namespace OrleansLog.Web.Tests;

/// <summary>Checks that a refusal is problem+json with the expected status, Kafka error name and code.</summary>
public static class ProblemAssert
{
    public static void Is(HttpStatusCode status, string kafkaName, (HttpResponseMessage Response, JsonElement Body) answer)
    {
        Assert.Equal(status, answer.Response.StatusCode);
        Assert.Equal("application/problem+json", answer.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(kafkaName, answer.Body.GetProperty("title").GetString());
        Assert.Equal((int)status, answer.Body.GetProperty("status").GetInt32());
        Assert.True(answer.Body.GetProperty("error_code").GetInt32() != 0);
        Assert.False(string.IsNullOrWhiteSpace(answer.Body.GetProperty("detail").GetString()));
    }
}
