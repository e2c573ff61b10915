using OrleansLog.Testing;

namespace OrleansLog.EndToEnd.Tests;

/// <summary>One running broker process for a test class.</summary>
public sealed class BrokerProcessFixture : IAsyncLifetime
{
    private readonly TempDirectory _data = new();

    public SiloProcess Silo { get; private set; } = null!;

    public async Task InitializeAsync() => Silo = await SiloProcess.StartAsync(_data.Sub("data"));

    public async Task DisposeAsync()
    {
        await Silo.DisposeAsync();
        _data.Dispose();
    }

    public Task<CliResult> Cli(params string[] arguments) => CliRunner.RunAsync(Silo.Gateway, null, arguments);
}
