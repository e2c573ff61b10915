using System.Collections.Concurrent;
using System.Diagnostics;

namespace OrleansLog.Testing;

/// <summary>
/// A long-running <c>orleanslog</c> CLI process (a consumer that follows, a producer fed from a file) whose
/// stdout lines are collected as they arrive. <see cref="KillAsync"/> is SIGKILL: the process gets no
/// chance to commit, flush or leave its group.
/// </summary>
public sealed class CliProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly Task _stdout;
    private readonly Task<string> _stderr;

    private CliProcess(Process process)
    {
        _process = process;
        _stdout = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                _lines.Enqueue(line);
            }
        });
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public IReadOnlyCollection<string> Lines => _lines;

    public bool HasExited => _process.HasExited;

    public static CliProcess Start(string gateway, string? stdinFile, params string[] arguments) =>
        Start(gateway, stdinFile, new Dictionary<string, string>(), arguments);

    /// <summary>Starts the CLI with <paramref name="environment"/> set (ORLEANSLOG_USER and ORLEANSLOG_PASSWORD, for one).</summary>
    public static CliProcess Start(string gateway, string? stdinFile, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        start.ArgumentList.Add(RepoPaths.CliDll);
        start.ArgumentList.Add("--gateway");
        start.ArgumentList.Add(gateway);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var cli = new CliProcess(Process.Start(start)!);
        _ = cli.FeedAsync(stdinFile);
        return cli;
    }

    /// <summary>Waits for a normal exit and returns what it printed.</summary>
    public async Task<CliResult> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancellation.Token);
        await _stdout;
        return new CliResult(_process.ExitCode, string.Concat(_lines.Select(line => line + "\n")), await _stderr);
    }

    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        await _stdout;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private async Task FeedAsync(string? stdinFile)
    {
        try
        {
            if (stdinFile is not null)
            {
                await using var input = File.OpenRead(stdinFile);
                await input.CopyToAsync(_process.StandardInput.BaseStream);
            }

            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The process was killed while reading its input.
        }
    }
}
