using System.Diagnostics;

namespace OrleansLog.Testing;

/// <summary>
/// The transaction processor (test/OrleansLog.TransactionProcessor) as a child process: started with its arguments,
/// watched through its "committed N" lines, and killed with SIGKILL.
/// </summary>
public sealed class ProcessorProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Lock _lock = new();
    private readonly List<string> _lines = [];
    private int _commits;

    private ProcessorProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Observe(e.Data);
        _process.ErrorDataReceived += (_, e) => Observe(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Transactions committed so far.</summary>
    public int Commits => Volatile.Read(ref _commits);

    public bool HasExited => _process.HasExited;

    /// <summary>What the processor printed, for a failed test's output.</summary>
    public string Output
    {
        get
        {
            lock (_lock)
            {
                return string.Join('\n', _lines.TakeLast(40));
            }
        }
    }

    public static ProcessorProcess Start(string client, string address, string input, string output, string group, string transactionalId, int batch)
    {
        var program = RepoPaths.TransactionProcessorDll;
        var start = new ProcessStartInfo("dotnet", [program, client, address, input, output, group, transactionalId, batch.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        return new ProcessorProcess(Process.Start(start)!);
    }

    /// <summary>SIGKILL: its open transaction, if any, is left for the next instance or the coordinator's timeout to abort.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private void Observe(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            _lines.Add(line);
        }

        if (line.StartsWith("committed ", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _commits);
        }
    }
}
