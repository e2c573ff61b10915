using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Storage;
using OrleansLog.Server.Hosting;
using OrleansLog.Server.Persistence;

namespace OrleansLog.Server.Tests.Metadata;

/// <summary>The embedded broker's grain state files under a data directory, read and written outside any silo (with Orleans' serializer).</summary>
internal sealed class StateFiles : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    public StateFiles(string dataDirectory) =>
        Storage = new FileGrainStorage(
            Options.Create(new OrleansLogOptions { DataDirectory = dataDirectory, StateDirectoryOverride = Path.Combine(dataDirectory, "state") }),
            new OrleansGrainStorageSerializer(_services.GetRequiredService<Serializer>()));

    public FileGrainStorage Storage { get; }

    public void Dispose() => _services.Dispose();
}
