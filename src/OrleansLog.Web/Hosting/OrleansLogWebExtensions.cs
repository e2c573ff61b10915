using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OrleansLog.Client;
using OrleansLog.Web.Api;
using OrleansLog.Web.Sampling;
using OrleansLog.Web.SchemaRegistry;
using OrleansLog.Web.Security;

namespace OrleansLog.Web.Hosting;

/// <summary>Entry points that add the front end to an ASP.NET application, whether it is an Orleans client or the broker itself.</summary>
public static class OrleansLogWebExtensions
{
    /// <summary>The broker's meter (OrleansLog.Server's <c>BrokerMetrics.MeterName</c>; the front end does not reference the server).</summary>
    private const string BrokerMeterName = "OrleansLog";

    /// <summary>The meter .NET itself publishes its runtime metrics on (since .NET 9).</summary>
    private const string RuntimeMeterName = "System.Runtime";

    /// <summary>
    /// The API's services: snake_case JSON (the REST Proxy's wire names), problem details, the OpenAPI
    /// document, the shared producer, and an <see cref="OrleansLogClient"/> over the application's grain
    /// factory unless one is registered already.
    /// </summary>
    public static IServiceCollection AddOrleansLogWeb(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.DictionaryKeyPolicy = null;
            json.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
        });
        services.AddProblemDetails();
        services.AddOpenApi();
        services.TryAddSingleton(sp => new OrleansLogClient(sp.GetRequiredService<IGrainFactory>()));
        services.AddSingleton<RecordProducer>();
        services.AddSingleton<ValueSchemaValidator>();
        services.AddSingleton<IValidateOptions<RecordReadOptions>, RecordReadOptionsValidator>();
        services.AddOptions<RecordReadOptions>().BindConfiguration(RecordReadOptions.SectionName).ValidateOnStart();
        services.AddSingleton<RecordReadLimiter>();

        // The console: Razor pages from this assembly (also when the broker hosts it), and its sampler.
        services.AddRazorPages().AddApplicationPart(typeof(OrleansLogWebExtensions).Assembly)
            .AddMvcOptions(mvc => mvc.Filters.Add<Security.ConsoleAccessFilter>());
        services.AddOrleansLogWebSecurity();
        services.AddSingleton<IValidateOptions<ConsoleOptions>, ConsoleOptionsValidator>();
        services.AddOptions<ConsoleOptions>().BindConfiguration(ConsoleOptions.SectionName).ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ConsoleSampler>();
        services.AddHostedService(sp => sp.GetRequiredService<ConsoleSampler>());
        return services;
    }

    /// <summary>
    /// OpenTelemetry metrics with a Prometheus scrape endpoint (<see cref="MapOrleansLogMetrics"/>): the
    /// broker's meter where a broker runs here, the front end's (consumer lag), ASP.NET Core's requests, and .NET's
    /// own runtime meter (GC collections, heap sizes and bytes allocated, thread pool queue, lock contention).
    /// </summary>
    public static IServiceCollection AddOrleansLogMetrics(this IServiceCollection services)
    {
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("orleanslog"))
            .WithMetrics(metrics => metrics
                .AddMeter(BrokerMeterName, ConsoleSampler.MeterName, RuntimeMeterName)
                .AddAspNetCoreInstrumentation()
                .AddView(FewSeries)
                .AddPrometheusExporter());
        return services;
    }

    /// <summary>
    /// OpenTelemetry allocates every metric stream's points up front, 2,000 by default (about 144 KB a stream): 63
    /// streams held 9 MB of a broker's heap. Only the broker's and the console's meters label by topic or group; the
    /// runtime's and ASP.NET Core's streams have few label combinations (generations, routes and status codes).
    /// </summary>
    private static MetricStreamConfiguration? FewSeries(System.Diagnostics.Metrics.Instrument instrument) =>
        instrument.Meter.Name is BrokerMeterName or ConsoleSampler.MeterName ? null : new MetricStreamConfiguration { CardinalityLimit = FewSeriesLimit };

    /// <summary>The most label combinations a runtime or ASP.NET Core metric stream keeps.</summary>
    internal const int FewSeriesLimit = 200;

    /// <summary>Serves the metrics for Prometheus at <c>/metrics</c>.</summary>
    public static IEndpointRouteBuilder MapOrleansLogMetrics(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint();
        return app;
    }

    /// <summary>
    /// Maps the REST API under <c>/v3</c> (Confluent REST Proxy v3 paths: clusters, brokers, topics,
    /// partitions, configs, records, consumer groups) and the OpenAPI document at <c>/openapi/v1.json</c>.
    /// Every refusal is <c>application/problem+json</c> with the Kafka error name. Also maps the web
    /// console's pages: <c>/</c> (overview), <c>/topics/{name}</c>, <c>/topics/{name}/messages</c>,
    /// <c>/topics/new</c>, <c>/groups</c>, <c>/groups/{id}</c>; and Kafka Connect's REST API (<c>/connectors</c>, <c>/connector-plugins</c>).
    /// </summary>
    public static IEndpointRouteBuilder MapOrleansLogApi(this IEndpointRouteBuilder app)
    {
        app.MapRazorPages();
        app.MapOpenApi();
        var api = app.MapGroup("/v3").AddEndpointFilter<OrleansLogProblemFilter>();
        var cluster = api.MapGroup("/clusters/{cluster_id}").AddEndpointFilter(ClusterEndpoints.RequireCluster);
        ClusterEndpoints.Map(api, cluster);
        TopicEndpoints.Map(cluster);
        RecordEndpoints.Map(cluster);
        ConsumerGroupEndpoints.Map(cluster);
        SchemaRegistryEndpoints.Map(app.MapGroup("").AddEndpointFilter<OrleansLogProblemFilter>());
        Connect.ConnectEndpoints.Map(app.MapGroup("").AddEndpointFilter<OrleansLogProblemFilter>());
        return app;
    }
}
