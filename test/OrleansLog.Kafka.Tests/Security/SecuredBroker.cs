using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansLog.Client;
using OrleansLog.Client.Admin;
using OrleansLog.Client.Hosting;
using OrleansLog.Testing;

namespace OrleansLog.Kafka.Tests.Security;

/// <summary>
/// A broker process started with security settings, and the native admin client on its gateway that sets up its users
/// and ACLs: it signs in as the broker's bootstrap user (<see cref="AdminUser"/>, a super user), as an operator would.
/// </summary>
internal sealed class SecuredBroker : IAsyncDisposable
{
    private readonly TempDirectory _data;
    private readonly IHost _clientHost;

    private SecuredBroker(TempDirectory data, SiloProcess process, IHost clientHost)
    {
        _data = data;
        Process = process;
        _clientHost = clientHost;
    }

    public SiloProcess Process { get; }

    public const string AdminUser = "test-admin";

    public const string AdminPassword = "test-admin-secret";

    public AdminClient Admin => _clientHost.Services.GetRequiredService<OrleansLogClient>().Admin;

    public static async Task<SecuredBroker> StartAsync(IReadOnlyList<string> arguments)
    {
        var data = new TempDirectory();
        var process = await SiloProcess.StartAsync(data.Sub("data"), extraArguments: [.. arguments, "--OrleansLog:Bootstrap:User", AdminUser, "--OrleansLog:Bootstrap:Password", AdminPassword]);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddOrleansLogClient(options =>
        {
            options.Gateways.Add(process.Gateway);
            options.UserName = AdminUser;
            options.Password = AdminPassword;
        });
        var clientHost = builder.Build();
        await clientHost.StartAsync();
        return new SecuredBroker(data, process, clientHost);
    }

    public async ValueTask DisposeAsync()
    {
        await _clientHost.StopAsync();
        _clientHost.Dispose();
        await Process.DisposeAsync();
        _data.Dispose();
    }
}
