using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace OrleansLog.Web.Api;

/// <summary>Reads a request body itself, so a missing or malformed body is answered with a problem+json saying what is wrong rather than a bare 400.</summary>
internal static class JsonBody
{
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request)
        where T : class
    {
        var (element, problem) = await ReadElementAsync(request);
        if (problem is not null)
        {
            return (null, problem);
        }

        try
        {
            return (element.Deserialize<T>(Options(request)), null);
        }
        catch (JsonException e)
        {
            return (null, Invalid(e));
        }
    }

    /// <summary>The body as a JSON element that is neither absent nor null.</summary>
    public static async Task<(JsonElement Value, IResult? Problem)> ReadElementAsync(HttpRequest request)
    {
        try
        {
            var element = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body, Options(request), request.HttpContext.RequestAborted);
            return element.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined
                ? (element, KafkaProblems.Problem(ErrorCode.InvalidRequest, "The request body is null; a JSON object was expected."))
                : (element, null);
        }
        catch (JsonException e)
        {
            return (default, request.ContentLength == 0
                ? KafkaProblems.Problem(ErrorCode.InvalidRequest, "The request body is empty; a JSON object was expected.")
                : Invalid(e));
        }
    }

    /// <summary>
    /// The body as a JSON object, or the problem <paramref name="problem"/> makes of what is wrong with it (each API
    /// answers in its own dialect: Kafka Connect's and Confluent's error bodies differ).
    /// </summary>
    public static async Task<(JsonElement Body, IResult? Problem)> ReadObjectAsync(HttpRequest request, Func<string, IResult> problem)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? (document.RootElement.Clone(), null)
                : (default, problem("The body must be a JSON object."));
        }
        catch (JsonException e)
        {
            return (default, problem($"The body is not JSON: {e.Message}"));
        }
    }

    public static JsonSerializerOptions Options(HttpRequest request) =>
        request.HttpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;

    private static IResult Invalid(JsonException e) =>
        KafkaProblems.Problem(ErrorCode.InvalidRequest, $"The request body is not valid JSON for this request: {e.Message}");
}
