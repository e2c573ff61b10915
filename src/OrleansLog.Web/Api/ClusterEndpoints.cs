using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using OrleansLog.Brokers;
using OrleansLog.Client;

namespace OrleansLog.Web.Api;

/// <summary><c>/v3/clusters</c> and brokers: the one cluster this front end talks to, and its brokers with ids, Kafka endpoints, silos and status.</summary>
internal static class ClusterEndpoints
{
    public static void Map(IEndpointRouteBuilder api, RouteGroupBuilder cluster)
    {
        api.MapGet("/clusters", async (OrleansLogClient client, IOptions<ClusterOptions> ids) =>
            TypedResults.Ok(new ListData<ClusterData>("KafkaClusterList", [await Describe(client, ids.Value.ClusterId)])));
        cluster.MapGet("", async (OrleansLogClient client, IOptions<ClusterOptions> ids) => TypedResults.Ok(await Describe(client, ids.Value.ClusterId)));
        cluster.MapGet("/brokers", async (OrleansLogClient client, IOptions<ClusterOptions> ids) =>
            TypedResults.Ok(new ListData<BrokerData>("KafkaBrokerList", (await client.Admin.ListBrokersAsync()).Select(b => Broker(ids.Value.ClusterId, b)).ToList())));
        cluster.MapGet("/brokers/{broker_id:int}", async (int broker_id, OrleansLogClient client, IOptions<ClusterOptions> ids) =>
            (await client.Admin.ListBrokersAsync()).FirstOrDefault(b => b.Id == broker_id) is { } broker
                ? Results.Ok(Broker(ids.Value.ClusterId, broker))
                : KafkaProblems.Problem(ErrorCode.ResourceNotFound, $"Broker {broker_id} is not known to the cluster."));
    }

    /// <summary>Refuses a path whose cluster id is not this cluster's.</summary>
    public static async ValueTask<object?> RequireCluster(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var expected = context.HttpContext.RequestServices.GetRequiredService<IOptions<ClusterOptions>>().Value.ClusterId;
        var asked = context.HttpContext.GetRouteValue("cluster_id") as string;
        return asked == expected ? await next(context) : KafkaProblems.Problem(ErrorCode.ResourceNotFound, $"Cluster \"{asked}\" is not this cluster; it is \"{expected}\".");
    }

    private static async Task<ClusterData> Describe(OrleansLogClient client, string clusterId)
    {
        var brokers = await client.Admin.ListBrokersAsync();
        var controller = brokers.Where(b => b.IsAlive).Select(b => b.Id).DefaultIfEmpty(-1).Min();
        var root = $"/v3/clusters/{clusterId}";
        return new ClusterData("KafkaCluster", clusterId, controller, $"{root}/brokers", $"{root}/topics", $"{root}/consumer-groups");
    }

    private static BrokerData Broker(string clusterId, BrokerDescription broker)
    {
        var listening = KafkaEndpoint.TryParse(broker.KafkaEndpoint, out var host, out var port);
        return new BrokerData("KafkaBroker", clusterId, broker.Id, listening ? host : null, listening ? port : null, broker.Silo.ToString(), broker.IsAlive);
    }
}
