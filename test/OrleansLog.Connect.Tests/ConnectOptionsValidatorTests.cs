using OrleansLog.Connect.Hosting;

namespace OrleansLog.Connect.Tests;

public sealed class ConnectOptionsValidatorTests
{
    public static TheoryData<string, Action<ConnectOptions>> BadConnect => new()
    {
        { "CheckInterval", o => o.CheckInterval = TimeSpan.Zero },
        { "StopTimeout", o => o.StopTimeout = TimeSpan.Zero },
        { "OffsetsTopic", o => o.OffsetsTopic = " " },
        { "ReplicationFactor", o => o.ReplicationFactor = 0 },
        { "MaxConnectors", o => o.MaxConnectors = 0 },
        { "MaxTasksPerConnector", o => o.MaxTasksPerConnector = 0 },
        { "FileRoots", o => o.FileRoots = ["relative/folder"] },
        { "AllowedHosts", o => o.AllowedHosts = ["http://example.com/path"] },
    };

    [Theory]
    [MemberData(nameof(BadConnect))]
    public void Connect_settings_are_refused_by_name(string setting, Action<ConnectOptions> spoil)
    {
        var validator = new ConnectOptionsValidator();
        var options = new ConnectOptions();
        Assert.True(validator.Validate(null, options).Succeeded, "the defaults must pass");

        spoil(options);
        var result = validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.StartsWith($"{ConnectOptions.SectionName}:{setting} ", Assert.Single(result.Failures!), StringComparison.Ordinal);
    }
}
