using OrleansLog.Testing;

namespace OrleansLog.Connect.Tests;

/// <summary><c>orleanslog connect ...</c> against a broker process.</summary>
public sealed class ConnectCliTests(ConnectRestApiTests.Broker fixture) : IClassFixture<ConnectRestApiTests.Broker>
{
    private ConnectBroker Api => fixture.Connect;

    [Fact]
    public async Task The_cli_creates_lists_pauses_resumes_and_deletes_a_connector()
    {
        var file = Path.Combine(Api.Files, "cli.txt");
        await File.WriteAllTextAsync(file, "x\n");
        var settings = Path.Combine(Api.Files, "cli.properties");
        await File.WriteAllTextAsync(settings, $"# a FileStreamSource\nconnector.class=FileStreamSource\nfile={file}\n");

        var created = await Cli("connect", "create", "cli-source", "--file", settings, "-c", "topic=cli-lines");
        Assert.Equal(0, created.ExitCode);
        Assert.Contains("Connector cli-source (source) configured with 1 task(s).", created.Stdout, StringComparison.Ordinal);
        await Api.WaitForTasks("cli-source", "RUNNING");

        var listed = await Cli("connect", "list");
        Assert.Matches(@"cli-source\s+source\s+RUNNING\s+1/1 running", listed.Stdout);
        Assert.Matches(@"Task 0\tRUNNING\t127\.0\.0\.1:\d+", (await Cli("connect", "status", "cli-source")).Stdout);

        Assert.Contains("is PAUSED", (await Cli("connect", "pause", "cli-source")).Stdout, StringComparison.Ordinal);
        Assert.Contains("is RUNNING", (await Cli("connect", "resume", "cli-source")).Stdout, StringComparison.Ordinal);
        Assert.Equal(0, (await Cli("connect", "restart", "cli-source", "--task", "0")).ExitCode);
        Assert.Equal(0, (await Cli("connect", "delete", "cli-source")).ExitCode);
        Assert.Equal(404, (await Api.Send(HttpMethod.Get, "/connectors/cli-source")).Status);
    }

    [Fact]
    public async Task A_refused_command_is_one_line_and_a_non_zero_exit()
    {
        var bad = await Cli("connect", "create", "cli-bad", "-c", "connector.class=FileStreamSink", "-c", "tasks.max=0");
        var missing = await Cli("connect", "status", "no-such-connector");
        var malformed = await Cli("connect", "create", "cli-bad", "-c", "no-equals-sign");

        Assert.Equal(1, bad.ExitCode);
        Assert.Single(bad.Stderr.Trim().Split('\n'));
        Assert.Contains("tasks.max: Invalid value 0", bad.Stderr, StringComparison.Ordinal);
        Assert.Contains("file: Missing required configuration", bad.Stderr, StringComparison.Ordinal);
        Assert.Equal((1, "error: Connector no-such-connector not found"), (missing.ExitCode, missing.Stderr.Trim()));
        Assert.Equal(4, malformed.ExitCode);
    }

    private Task<CliResult> Cli(params string[] arguments) => CliRunner.RunAsync(Api.Silo.Gateway, null, arguments);
}
