using System.Diagnostics.Metrics;

namespace OrleansLog.Server.Tests.Replication;

/// <summary>Meters for the broker's metrics in tests without a host.</summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    public Meter Create(MeterOptions options) => new(options);

    public void Dispose()
    {
    }
}
