using System.Diagnostics;

namespace OrleansLog.Kafka.Tests;

/// <summary>Runs Debian's kcat (librdkafka 2.0) against a broker, with input on stdin, and returns what it printed.</summary>
public static class Kcat
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string bootstrap, string? input, params string[] arguments)
    {
        var start = new ProcessStartInfo("kcat")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("-b");
        start.ArgumentList.Add(bootstrap);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kcat {string.Join(' ', arguments)} did not finish within 60 s: {await stderr}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
