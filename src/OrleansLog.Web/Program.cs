using OrleansLog.Client.Hosting;
using OrleansLog.Web.Health;
using OrleansLog.Web.Hosting;
using OrleansLog.Web.Security;

// The front end on its own: an Orleans client of the cluster whose gateways OrleansLog:Web:Gateways lists
// (default the embedded broker's 127.0.0.1:30000). Co-hosted in the broker, the silo maps the same API itself.
var builder = WebApplication.CreateBuilder(args);
var gateways = builder.Configuration.GetSection("OrleansLog:Web:Gateways").Get<string[]>() is { Length: > 0 } listed ? listed : ["127.0.0.1:30000"];
builder.Services.AddOrleansLogClient(options =>
{
    options.Gateways.AddRange(gateways);
    options.ClusterId = builder.Configuration["OrleansLog:Cluster:ClusterId"] ?? options.ClusterId;
});
builder.Services.AddOrleansLogWeb().AddOrleansLogMetrics();
builder.Services.AddHealthChecks().AddCheck<ClusterReadinessCheck>("cluster", tags: ["ready"]);
var app = builder.Build();
app.UseOrleansLogWebSecurity();
app.MapOrleansLogApi();
app.MapOrleansLogMetrics();
app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
app.MapHealthChecks("/health/ready", new() { Predicate = check => check.Tags.Contains("ready") });
app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine($"OrleansLog web front end on {string.Join(", ", app.Urls)} (API under /v3, OpenAPI at /openapi/v1.json), cluster gateways {string.Join(", ", gateways)}."));
await app.RunAsync();
