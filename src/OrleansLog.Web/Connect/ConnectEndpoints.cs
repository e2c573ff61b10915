using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using OrleansLog.Web.Api;
using OrleansLog.Client;
using OrleansLog.Connect;

namespace OrleansLog.Web.Connect;

/// <summary>
/// Kafka Connect's REST API on the broker's HTTP port, with its paths, bodies and status codes, so its tools and scripts
/// work unchanged: <c>/connectors</c> (list, <c>?expand=status|info</c>, create), <c>/connectors/{name}</c> (info,
/// delete), <c>/config</c>, <c>/status</c>, <c>/tasks</c>, <c>/tasks/{id}/status</c>, <c>/restart</c>,
/// <c>/tasks/{id}/restart</c>, <c>/pause</c>, <c>/resume</c>, <c>/stop</c>, <c>/connector-plugins</c> and
/// <c>/connector-plugins/{class}/config/validate</c>. Refusals are problem+json that also carry Kafka Connect's
/// <c>error_code</c> (the HTTP status) and <c>message</c>.
/// </summary>
internal static class ConnectEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/connectors", async (HttpRequest request, OrleansLogClient client) =>
        {
            var names = await Cluster(client).List();
            var expand = request.Query["expand"].Select(e => e?.ToLowerInvariant()).ToHashSet();
            if (expand.Count == 0)
            {
                return Results.Json(names);
            }

            var expanded = new Dictionary<string, object>(StringComparer.Ordinal);
            foreach (var name in names)
            {
                var entry = new Dictionary<string, object?>(StringComparer.Ordinal);
                if (expand.Contains("status") && await Connector(client, name).Status() is { IsError: false } status)
                {
                    entry["status"] = Status(status.Value!);
                }

                if (expand.Contains("info") && await Connector(client, name).Info() is { IsError: false } info)
                {
                    entry["info"] = Info(info.Value!);
                }

                expanded[name] = entry;
            }

            return Results.Json(expanded);
        });
        app.MapPost("/connectors", async (HttpRequest request, OrleansLogClient client) =>
        {
            var (body, problem) = await ReadObject(request);
            if (problem is not null)
            {
                return problem;
            }

            if (!body.TryGetProperty("name", out var nameElement) || nameElement.ValueKind != JsonValueKind.String || nameElement.GetString() is not { Length: > 0 } name)
            {
                return Problem(StatusCodes.Status400BadRequest, "Connector name must be given: {\"name\": \"...\", \"config\": {...}}.");
            }

            if (!body.TryGetProperty("config", out var configElement))
            {
                return Problem(StatusCodes.Status400BadRequest, "Connector config must be given: {\"name\": \"...\", \"config\": {...}}.");
            }

            var (config, invalid) = ReadNamedConfig(configElement, name);
            if (invalid is not null)
            {
                return invalid;
            }

            var answer = await Connector(client, name).Put(config!, createOnly: true);
            return answer.IsError ? Refusal(answer.Status, answer.Message!) : Results.Created($"/connectors/{Uri.EscapeDataString(name)}", Info(answer.Value!));
        });
        app.MapGet("/connectors/{name}", async (string name, OrleansLogClient client) => Answer(await Connector(client, name).Info(), Info));
        app.MapGet("/connectors/{name}/config", async (string name, OrleansLogClient client) => Answer(await Connector(client, name).Info(), i => i.Config));
        app.MapPut("/connectors/{name}/config", async (string name, HttpRequest request, OrleansLogClient client) =>
        {
            var (body, problem) = await ReadObject(request);
            if (problem is not null)
            {
                return problem;
            }

            var (config, invalid) = ReadNamedConfig(body, name);
            if (invalid is not null)
            {
                return invalid;
            }

            var connector = Connector(client, name);
            var existed = !(await connector.Info()).IsError;
            var answer = await connector.Put(config!, createOnly: false);
            return answer.IsError ? Refusal(answer.Status, answer.Message!)
                : existed ? Results.Json(Info(answer.Value!))
                : Results.Created($"/connectors/{Uri.EscapeDataString(name)}", Info(answer.Value!));
        });
        app.MapGet("/connectors/{name}/status", async (string name, OrleansLogClient client) => Answer(await Connector(client, name).Status(), Status));
        app.MapGet("/connectors/{name}/tasks", async (string name, OrleansLogClient client) =>
            Answer(await Connector(client, name).TaskConfigs(), tasks => tasks.Select(t => new { id = TaskId(t.Id), config = t.Config })));
        app.MapGet("/connectors/{name}/tasks/{task:int}/status", async (string name, int task, OrleansLogClient client) =>
            Answer(await Connector(client, name).TaskStatus(task), TaskStatus));
        app.MapPost("/connectors/{name}/restart", async (string name, bool? includeTasks, bool? onlyFailed, OrleansLogClient client) =>
        {
            var answer = await Connector(client, name).Restart(includeTasks == true, onlyFailed == true);
            return answer.IsError ? Refusal(answer.Status, answer.Message!)
                : includeTasks == true ? Results.Json(Status(answer.Value!), statusCode: StatusCodes.Status202Accepted)
                : Results.NoContent();
        });
        app.MapPost("/connectors/{name}/tasks/{task:int}/restart", async (string name, int task, OrleansLogClient client) =>
        {
            var answer = await Connector(client, name).RestartTask(task);
            return answer.IsError ? Refusal(answer.Status, answer.Message!) : Results.NoContent();
        });
        app.MapPut("/connectors/{name}/pause", (string name, OrleansLogClient client) => SetTarget(client, name, ConnectTargetState.Paused, StatusCodes.Status202Accepted));
        app.MapPut("/connectors/{name}/resume", (string name, OrleansLogClient client) => SetTarget(client, name, ConnectTargetState.Running, StatusCodes.Status202Accepted));
        app.MapPut("/connectors/{name}/stop", (string name, OrleansLogClient client) => SetTarget(client, name, ConnectTargetState.Stopped, StatusCodes.Status204NoContent));
        app.MapDelete("/connectors/{name}", async (string name, OrleansLogClient client) =>
        {
            var answer = await Connector(client, name).Delete();
            return answer.IsError ? Refusal(answer.Status, answer.Message!) : Results.NoContent();
        });
        app.MapGet("/connector-plugins", async (OrleansLogClient client) =>
            Results.Json((await Cluster(client).Plugins()).Select(p => new Dictionary<string, string> { ["class"] = p.Class, ["type"] = p.Type, ["version"] = p.Version })));
        app.MapPut("/connector-plugins/{class}/config/validate", async (string @class, HttpRequest request, OrleansLogClient client) =>
        {
            var (body, problem) = await ReadObject(request);
            if (problem is not null)
            {
                return problem;
            }

            var (config, invalid) = ReadConfig(body);
            return invalid ?? Answer(await Cluster(client).Validate(@class, config!), v => v);
        });
    }

    private static IConnectClusterGrain Cluster(OrleansLogClient client) => client.Grains.GetGrain<IConnectClusterGrain>(IConnectClusterGrain.ClusterKey);

    private static IConnectorGrain Connector(OrleansLogClient client, string name) => client.Grains.GetGrain<IConnectorGrain>(name);

    private static async Task<IResult> SetTarget(OrleansLogClient client, string name, ConnectTargetState target, int status)
    {
        var answer = await Connector(client, name).SetTarget(target);
        return answer.IsError ? Refusal(answer.Status, answer.Message!) : Results.StatusCode(status);
    }

    private static object Info(ConnectorInfo info) =>
        new { name = info.Name, config = info.Config, tasks = info.Tasks.Select(t => TaskId(new ConnectTaskId(info.Name, t))), type = info.Type };

    private static object Status(ConnectorStatus status) =>
        new { name = status.Name, connector = new { state = status.Connector.State, worker_id = status.Connector.WorkerId, trace = status.Connector.Trace }, tasks = status.Tasks.Select(TaskStatus), type = status.Type };

    private static object TaskStatus(ConnectTaskStatus task) => new { id = task.Id, state = task.State, worker_id = task.WorkerId, trace = task.Trace };

    private static object TaskId(ConnectTaskId id) => new { connector = id.Connector, task = id.Task };

    private static IResult Answer<T>(ConnectAnswer<T> answer, Func<T, object> body) =>
        answer.IsError ? Refusal(answer.Status, answer.Message!) : Results.Json(body(answer.Value!));

    private static ProblemHttpResult Refusal(int status, string message) => Problem(status, message);

    private static ProblemHttpResult Problem(int status, string message) =>
        TypedResults.Problem(
            detail: message,
            statusCode: status,
            extensions: new Dictionary<string, object?> { ["error_code"] = status, ["message"] = message });

    /// <summary>A configuration for the connector <paramref name="name"/>: a valid name, and a "name" setting, if any, that is the same.</summary>
    private static (ImmutableSortedDictionary<string, string>? Config, IResult? Problem) ReadNamedConfig(JsonElement element, string name)
    {
        if (ConnectorName.Check(name) is { } badName)
        {
            return (null, Problem(StatusCodes.Status400BadRequest, badName));
        }

        var (config, invalid) = ReadConfig(element);
        return invalid is not null ? (null, invalid)
            : config!.TryGetValue("name", out var inConfig) && inConfig != name
                ? (null, Problem(StatusCodes.Status400BadRequest, $"Connector name configuration ({inConfig}) doesn't match connector name in the URL ({name})"))
                : (config, null);
    }

    /// <summary>A configuration object whose values are strings (numbers and booleans are taken as their text, as Kafka Connect does).</summary>
    private static (ImmutableSortedDictionary<string, string>? Config, IResult? Problem) ReadConfig(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return (null, Problem(StatusCodes.Status400BadRequest, "A connector configuration is a JSON object of strings."));
        }

        var config = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            switch (property.Value.ValueKind)
            {
                case JsonValueKind.String:
                    config[property.Name] = property.Value.GetString()!;
                    break;
                case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                    config[property.Name] = property.Value.GetRawText();
                    break;
                case JsonValueKind.Null:
                    break;
                default:
                    return (null, Problem(StatusCodes.Status400BadRequest, string.Create(CultureInfo.InvariantCulture, $"Configuration value of \"{property.Name}\" must be a string, not a JSON {property.Value.ValueKind.ToString().ToLowerInvariant()}.")));
            }
        }

        return (config.ToImmutable(), null);
    }

    private static Task<(JsonElement Body, IResult? Problem)> ReadObject(HttpRequest request) =>
        JsonBody.ReadObjectAsync(request, message => Problem(StatusCodes.Status400BadRequest, message));
}
