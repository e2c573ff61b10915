using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansLog.Connect.Grains;
using OrleansLog.Connect.Plugins;
using OrleansLog.Connect.Runtime;
using OrleansLog.Server.Hosting;

namespace OrleansLog.Connect.Hosting;

/// <summary>Makes a broker run connectors: options (<c>OrleansLog:Connect</c>), the shipped plugins, the runtime, task placement and supervision.</summary>
public static class ConnectSiloBuilderExtensions
{
    public static ISiloBuilder AddOrleansLogConnect(this ISiloBuilder builder, Action<ConnectOptions>? configure = null)
    {
        var options = builder.Services.AddValidatedOptions<ConnectOptions, ConnectOptionsValidator>(ConnectOptions.SectionName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.TryAddSingleton(ConnectorPlugins.Shipped);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ConnectRuntime>();
        builder.Services.AddPlacementDirector<ConnectTaskPlacement, ConnectTaskPlacementDirector>();
        builder.Services.AddSingleton<ConnectSupervisorService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ConnectSupervisorService>());
        return builder;
    }
}
