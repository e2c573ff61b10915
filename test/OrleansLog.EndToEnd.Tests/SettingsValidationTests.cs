using OrleansLog.Testing;

namespace OrleansLog.EndToEnd.Tests;

/// <summary>
/// A bad setting stops the broker process at start, before it binds anything, with exit code 1 and one
/// line that names the setting: one case per validated options class (every rule of the front end's,
/// whose project these tests do not reference; the broker's rules have unit tests).
/// </summary>
public class SettingsValidationTests
{
    [Theory]
    [InlineData("OrleansLog:RetentionCheckInterval", "00:00:00", "must be positive")]
    [InlineData("OrleansLog:Broker:Id", "-1", "must be at least 0")]
    [InlineData("OrleansLog:Replication:ReplicaLagTimeMax", "-00:00:01", "must be positive")]
    [InlineData("OrleansLog:Groups:MaxSessionTimeout", "00:00:01", "must be at least MinSessionTimeout")]
    [InlineData("OrleansLog:Kafka:MaxInFlightRequestsPerConnection", "0", "must be at least 1")]
    [InlineData("OrleansLog:Web:SampleInterval", "00:00:00", "must be positive")]
    [InlineData("OrleansLog:Web:SamplesKept", "1", "must be at least 2")]
    [InlineData("OrleansLog:Web:MaxSampled", "-1", "must be at least 0")]
    [InlineData("OrleansLog:Web:MaxConcurrentReads", "0", "must be at least 1")]
    [InlineData("OrleansLog:Web:FrontEnd", "maybe", "must be true or false")]
    public async Task A_bad_setting_stops_the_broker_with_one_line_naming_it(string setting, string value, string rule)
    {
        using var data = new TempDirectory();

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            SiloProcess.StartAsync(data.Sub("data"), TimeSpan.FromSeconds(60), [$"--{setting}={value}"]));

        Assert.Contains("exited with code 1", failure.Message, StringComparison.Ordinal);
        var errors = failure.Message.Split('\n').Where(line => line.StartsWith("error:", StringComparison.Ordinal)).ToArray();
        var error = Assert.Single(errors);
        Assert.StartsWith($"error: {setting} {rule}", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", failure.Message, StringComparison.Ordinal);
    }
}
