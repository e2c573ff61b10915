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
await app.RunAsync();
return 0;
