using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using OrleansLog.Web.Api;
using OrleansLog.Client;
using OrleansLog.Schemas;

namespace OrleansLog.Web.SchemaRegistry;

/// <summary>
/// The schema registry over HTTP, on Confluent Schema Registry's paths and field names, so its clients
/// (Confluent.SchemaRegistry, serializers, tools) work unchanged: <c>/subjects</c>, <c>/subjects/{subject}/versions[/{version}]</c>,
/// <c>/schemas/ids/{id}</c>, <c>/config[/{subject}]</c>, <c>/compatibility/subjects/{subject}/versions/{version}</c>.
/// Refusals are problem+json that also carry Confluent's <c>error_code</c> and <c>message</c>.
/// </summary>
internal static class SchemaRegistryEndpoints
{
    private const string ContentType = "application/vnd.schemaregistry.v1+json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/subjects", async (OrleansLogClient client) => Ok(await Registry(client).Subjects()));
        app.MapGet("/subjects/{subject}/versions", async (string subject, OrleansLogClient client) => Answer(await Registry(client).Versions(subject), a => a.Versions));
        app.MapPost("/subjects/{subject}/versions", async (string subject, HttpRequest request, OrleansLogClient client) =>
        {
            var (schema, type, problem) = await ReadSchema(request);
            return problem ?? Answer(await Registry(client).Register(subject, type!, schema!), a => new { id = a.Schema!.Id });
        });
        app.MapPost("/subjects/{subject}", async (string subject, HttpRequest request, OrleansLogClient client) =>
        {
            var (schema, _, problem) = await ReadSchema(request);
            return problem ?? Answer(await Registry(client).Lookup(subject, schema!), a => Version(a.Schema!));
        });
        app.MapGet("/subjects/{subject}/versions/{version}", async (string subject, string version, OrleansLogClient client) =>
            ParseVersion(version) is { } number ? Answer(await Registry(client).GetVersion(subject, number), a => Version(a.Schema!)) : InvalidVersion(version));
        app.MapGet("/subjects/{subject}/versions/{version}/schema", async (string subject, string version, OrleansLogClient client) =>
            ParseVersion(version) is { } number ? Answer(await Registry(client).GetVersion(subject, number), a => JsonDocument.Parse(a.Schema!.Schema).RootElement) : InvalidVersion(version));
        app.MapDelete("/subjects/{subject}", async (string subject, OrleansLogClient client) => Answer(await Registry(client).DeleteSubject(subject), a => a.Versions));
        app.MapGet("/schemas/ids/{id:int}", async (int id, OrleansLogClient client) =>
            Answer(await Registry(client).GetById(id), a => new { schema = a.Schema!.Schema, schemaType = a.Schema.SchemaType }));
        app.MapGet("/config", async (OrleansLogClient client) => Answer(await Registry(client).GetCompatibility(null), a => new { compatibilityLevel = a.Compatibility }));
        app.MapGet("/config/{subject}", async (string subject, OrleansLogClient client) => Answer(await Registry(client).GetCompatibility(subject), a => new { compatibilityLevel = a.Compatibility }));
        app.MapPut("/config", async (HttpRequest request, OrleansLogClient client) => await SetLevel(request, client, null));
        app.MapPut("/config/{subject}", async (string subject, HttpRequest request, OrleansLogClient client) => await SetLevel(request, client, subject));
        app.MapPost("/compatibility/subjects/{subject}/versions/{version}", async (string subject, string version, HttpRequest request, OrleansLogClient client) =>
        {
            var (schema, type, problem) = await ReadSchema(request);
            if (problem is not null)
            {
                return problem;
            }

            if (ParseVersion(version) is not { } number)
            {
                return InvalidVersion(version);
            }

            var answer = await Registry(client).TestCompatibility(subject, number, type!, schema!);
            return Answer(answer, a => a.Message is null ? (object)new { is_compatible = true } : new { is_compatible = false, messages = new[] { a.Message } });
        });
    }

    private static ISchemaRegistryGrain Registry(OrleansLogClient client) => client.Grains.GetGrain<ISchemaRegistryGrain>(ISchemaRegistryGrain.ClusterKey);

    private static object Version(SchemaVersion schema) =>
        new { subject = schema.Subject, version = schema.Version, id = schema.Id, schemaType = schema.SchemaType, schema = schema.Schema };

    private static IResult Ok(object value) => Results.Json(value, Json, ContentType);

    private static IResult Answer(SchemaAnswer answer, Func<SchemaAnswer, object?> body) => answer.IsError ? Problem(answer.ErrorCode, answer.Message!) : Ok(body(answer)!);

    private static ProblemHttpResult Problem(int errorCode, string message) =>
        TypedResults.Problem(
            detail: message,
            statusCode: errorCode < 1000 ? errorCode : errorCode / 100,
            title: errorCode switch
            {
                SchemaAnswer.SubjectNotFound => "SUBJECT_NOT_FOUND",
                SchemaAnswer.VersionNotFound => "VERSION_NOT_FOUND",
                SchemaAnswer.SchemaNotFound => "SCHEMA_NOT_FOUND",
                SchemaAnswer.Incompatible => "INCOMPATIBLE_SCHEMA",
                SchemaAnswer.InvalidSchema => "INVALID_SCHEMA",
                SchemaAnswer.InvalidVersion => "INVALID_VERSION",
                SchemaAnswer.InvalidCompatibilityLevel => "INVALID_COMPATIBILITY_LEVEL",
                _ => "INVALID_REQUEST",
            },
            extensions: new Dictionary<string, object?> { ["error_code"] = errorCode, ["message"] = message });

    private static ProblemHttpResult InvalidVersion(string version) =>
        Problem(SchemaAnswer.InvalidVersion, $"\"{version}\" is not a version: use a number from 1, or \"latest\".");

    private static int? ParseVersion(string version) =>
        version == "latest" ? -1 : int.TryParse(version, out var number) && number >= 1 ? number : null;

    private static async Task<IResult> SetLevel(HttpRequest request, OrleansLogClient client, string? subject)
    {
        var (body, problem) = await ReadObject(request);
        if (problem is not null)
        {
            return problem;
        }

        if (!body.TryGetProperty("compatibility", out var level) || level.ValueKind != JsonValueKind.String)
        {
            return Problem(SchemaAnswer.InvalidCompatibilityLevel, "The body needs \"compatibility\": BACKWARD, FORWARD, FULL or NONE.");
        }

        return Answer(await Registry(client).SetCompatibility(subject, level.GetString()!), a => new { compatibility = a.Compatibility });
    }

    /// <summary>The schema text and type of a register, lookup or compatibility request (<c>{"schema": "...", "schemaType": "JSON"}</c>).</summary>
    private static async Task<(string? Schema, string? Type, IResult? Problem)> ReadSchema(HttpRequest request)
    {
        var (body, problem) = await ReadObject(request);
        if (problem is not null)
        {
            return (null, null, problem);
        }

        if (!body.TryGetProperty("schema", out var schema) || schema.ValueKind != JsonValueKind.String)
        {
            return (null, null, Problem(SchemaAnswer.InvalidSchema, "The body needs \"schema\": the schema as a JSON string."));
        }

        // Confluent's default type is AVRO.
        var type = body.TryGetProperty("schemaType", out var schemaType) && schemaType.ValueKind == JsonValueKind.String ? schemaType.GetString()! : "AVRO";
        return (schema.GetString(), type, null);
    }

    private static Task<(JsonElement Body, IResult? Problem)> ReadObject(HttpRequest request) =>
        JsonBody.ReadObjectAsync(request, message => Problem(42200, message));
}
