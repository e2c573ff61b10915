namespace OrleansLog.Testing;

/// <summary>Runs the real <c>orleanslog</c> CLI as a process against a broker's gateway, to completion.</summary>
public static class CliRunner
{
    public static async Task<CliResult> RunAsync(string gateway, string? stdinFile, params string[] arguments)
    {
        await using var process = CliProcess.Start(gateway, stdinFile, arguments);
        return await process.WaitForExitAsync(TimeSpan.FromMinutes(2));
    }

    /// <summary>Runs the CLI signed in as <paramref name="user"/> (the password goes through ORLEANSLOG_PASSWORD, as users give it).</summary>
    public static async Task<CliResult> RunAsAsync(string gateway, string user, string password, string? stdinFile, params string[] arguments)
    {
        await using var process = CliProcess.Start(gateway, stdinFile, new Dictionary<string, string> { ["ORLEANSLOG_USER"] = user, ["ORLEANSLOG_PASSWORD"] = password }, arguments);
        return await process.WaitForExitAsync(TimeSpan.FromMinutes(2));
    }
}

/// <summary>What a CLI run printed and how it exited.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}
