using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace OrleansLog.Benchmarks.Compare.Drivers;

/// <summary>
/// A peer's server (<c>nats-server</c>, <c>redis-server</c>) run by the benchmark: its output kept for
/// error messages, ready once its loopback port accepts connections, killed on dispose.
/// </summary>
public sealed class PeerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private PeerProcess(Process process) => _process = process;

    public int ProcessId => _process.Id;

    public static async Task<PeerProcess> StartAsync(string executable, IEnumerable<string> arguments, int port, string workingDirectory)
    {
        var path = FindExecutable(executable);
        var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var peer = new PeerProcess(Process.Start(start)!);
        peer._process.OutputDataReceived += (_, e) => peer.Append(e.Data);
        peer._process.ErrorDataReceived += (_, e) => peer.Append(e.Data);
        peer._process.BeginOutputReadLine();
        peer._process.BeginErrorReadLine();
        await peer.WaitListeningAsync(executable, port, TimeSpan.FromSeconds(30));
        return peer;
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Kills every server of a set: on the way out, or when a later one of them failed to start.</summary>
    public static async Task DisposeAllAsync(IEnumerable<PeerProcess> servers)
    {
        foreach (var server in servers)
        {
            await server.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private static readonly string[] ExecutableFolders = ["/usr/bin", "/usr/sbin", "/usr/local/bin"];

    /// <summary>Debian installs the servers in /usr/sbin or /usr/bin; test/run.sh installs them when missing.</summary>
    private static string FindExecutable(string name) =>
        ExecutableFolders.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists)
        ?? throw new FileNotFoundException($"{name} is not installed: run test/run.sh (it installs the benchmark's peers) or apt-get install {(name == "nats-server" ? "nats-server" : "redis-server")}.");

    private async Task WaitListeningAsync(string name, int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{name} exited with code {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var socket = new TcpClient();
                await socket.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        await DisposeAsync();
        throw new TimeoutException($"{name} did not listen on 127.0.0.1:{port} within {timeout}:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
