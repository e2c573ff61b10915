using OrleansLog.Kafka.Hosting;
using OrleansLog.Silo.Hosting;
using OrleansLog.Web.Hosting;

// Configuration files come from the application's folder, so the broker behaves the same whatever the
// working directory; relative paths in settings (the data directory) stay relative to the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddCommandLine(args, BrokerHostExtensions.SwitchMappings.ToDictionary());

ClusterSettings cluster;
try
{
    cluster = ClusterSettings.Read(builder.Configuration);
    await BrokerHostExtensions.CheckDatabaseAsync(cluster);
}
catch (ClusterConfigurationException e)
{
    await Console.Error.WriteLineAsync($"error: {e.Message}");
    return 1;
}

builder.AddOrleansLogBroker(cluster);
builder.Services.AddOrleansLogWeb().AddOrleansLogMetrics();
var app = builder.Build();
app.MapOrleansLogHealth();
app.MapOrleansLogApi();
app.MapOrleansLogMetrics();
try
{
    await app.RunAsync();
}
catch (Exception e) when (FindListenerFailure(e) is { } failure)
{
    // A broker that cannot open its Kafka port says so in one line instead of a stack trace.
    await Console.Error.WriteLineAsync($"error: {failure.Message}");
    return 1;
}

return 0;

static KafkaListenerException? FindListenerFailure(Exception? e) =>
    e switch
    {
        null => null,
        KafkaListenerException listener => listener,
        AggregateException all => all.InnerExceptions.Select(FindListenerFailure).FirstOrDefault(f => f is not null),
        _ => FindListenerFailure(e.InnerException),
    };
