using Microsoft.Extensions.Options;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Server.Hosting;
using OrleansLog.Silo.Hosting;
using OrleansLog.Storage.IO;
using OrleansLog.Web.Hosting;
using OrleansLog.Web.Security;
using OrleansLog.Server.Security;

// Configuration files come from the application's folder, so the broker behaves the same whatever the
// working directory; relative paths in settings (the data directory) stay relative to the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddCommandLine(args, BrokerHostExtensions.SwitchMappings.ToDictionary());

ClusterSettings cluster;
bool frontEnd;
try
{
    cluster = ClusterSettings.Read(builder.Configuration);
    frontEnd = FrontEndSetting.IsEnabled(builder.Configuration);
    await BrokerHostExtensions.CheckDatabaseAsync(cluster);
}
catch (ClusterConfigurationException e)
{
    await Console.Error.WriteLineAsync($"error: {e.Message}");
    return 1;
}

try
{
    builder.AddOrleansLogBroker(cluster).UseOrleansLogHttps();

    // Without the front end, the HTTP port keeps the probes and the metrics, and the authentication that guards them.
    if (frontEnd)
    {
        builder.Services.AddOrleansLogWeb();
    }
    else
    {
        builder.Services.AddOrleansLogWebSecurity();
    }

    builder.Services.AddOrleansLogMetrics();

    // HTTP asks for credentials exactly when the broker checks ACLs (off in the embedded loopback default).
    builder.Services.AddOptions<WebSecurityOptions>().PostConfigure<AclCache>((web, acls) => web.RequireAuthentication ??= acls.Enabled);
    var app = builder.Build();
    app.UseOrleansLogWebSecurity();
    app.MapOrleansLogHealth();
    if (frontEnd)
    {
        app.MapOrleansLogApi();
    }

    app.MapOrleansLogMetrics();

    // Checked before the host starts, so a bad setting is refused before anything logs or binds.
    app.Services.GetService<IStartupValidator>()?.Validate();

    // Open logs are the broker's to bound; the process's file limit is what it plans with.
    FileLimitLog.RaiseAndLog(app.Logger);

    // A damaged state or checkpoint file stops the broker before it serves anything.
    app.Services.GetRequiredService<StorageIntegrityCheck>().Verify();
    await app.RunAsync();
}
catch (Exception e) when (StartupFailures(e) is [_, ..] failures)
{
    // A bad setting, or a Kafka port already taken, is said in one line each instead of a stack trace.
    foreach (var failure in failures)
    {
        await Console.Error.WriteLineAsync($"error: {failure}");
    }

    return 1;
}

return 0;

static string[] StartupFailures(Exception? e) =>
    e switch
    {
        null => [],
        OptionsValidationException invalid => [.. invalid.Failures],
        KafkaListenerException listener => [listener.Message],
        DamagedFileException damaged => [damaged.Message],
        AggregateException all => [.. all.InnerExceptions.SelectMany(StartupFailures)],
        _ => StartupFailures(e.InnerException),
    };
