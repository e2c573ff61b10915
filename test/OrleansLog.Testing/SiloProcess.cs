using System.Diagnostics;
using System.Text;

namespace OrleansLog.Testing;

/// <summary>
/// A real broker process (<c>dotnet OrleansLog.Silo.dll</c>) on free loopback ports with its own data
/// directory. <see cref="KillAsync"/> is SIGKILL: no flush, no clean close, as a crash.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private readonly IReadOnlyList<string> _extraArguments;
    private int? _fileLimit;
    private int? _httpsPort;

    private SiloProcess(Process process, string dataDirectory, int siloPort, int gatewayPort, int httpPort, int kafkaPort, IReadOnlyList<string> extraArguments)
    {
        KafkaPort = kafkaPort;
        _process = process;
        DataDirectory = dataDirectory;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
        HttpPort = httpPort;
        _extraArguments = extraArguments;
    }

    public int SiloPort { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public string DataDirectory { get; }

    public int GatewayPort { get; }

    public int HttpPort { get; }

    /// <summary>The broker's Kafka listener port (on 127.0.0.1).</summary>
    public int KafkaPort { get; }

    /// <summary>The Kafka bootstrap address, as Kafka clients take it.</summary>
    public string KafkaBootstrap => $"127.0.0.1:{KafkaPort}";

    public string Gateway => $"127.0.0.1:{GatewayPort}";

    /// <summary>Where every broker's output is also written, one file per broker, when <c>ORLEANSLOG_TEST_LOGS</c> names a folder (to read after a failed run).</summary>
    private static string? LogDirectory { get; } = Environment.GetEnvironmentVariable("ORLEANSLOG_TEST_LOGS") is { Length: > 0 } folder ? Directory.CreateDirectory(folder).FullName : null;

    /// <summary>What the process printed so far, for failure messages.</summary>
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

    /// <summary>Starts a broker and waits until <c>/health/ready</c> answers; <paramref name="extraArguments"/> go to the silo (switches or configuration).</summary>
    public static Task<SiloProcess> StartAsync(string dataDirectory, TimeSpan? timeout = null, IReadOnlyList<string>? extraArguments = null) =>
        StartAsync(dataDirectory, FreePort.Next(), FreePort.Next(), FreePort.Next(), FreePort.Next(), extraArguments ?? [], timeout, fileLimit: null);

    /// <summary>As <see cref="StartAsync(string, TimeSpan?, IReadOnlyList{string}?)"/>, with the process's open-file limit (soft and hard) set to <paramref name="fileLimit"/> (through prlimit).</summary>
    public static Task<SiloProcess> StartWithFileLimitAsync(string dataDirectory, int fileLimit, IReadOnlyList<string>? extraArguments = null) =>
        StartAsync(dataDirectory, FreePort.Next(), FreePort.Next(), FreePort.Next(), FreePort.Next(), extraArguments ?? [], timeout: null, fileLimit);

    /// <summary>As <see cref="StartAsync(string, TimeSpan?, IReadOnlyList{string}?)"/>, serving HTTPS on <paramref name="httpsPort"/> as well as HTTP (the broker needs a certificate in <c>OrleansLog:Tls</c>).</summary>
    public static Task<SiloProcess> StartWithHttpsAsync(string dataDirectory, int httpsPort, IReadOnlyList<string> extraArguments) =>
        StartAsync(dataDirectory, FreePort.Next(), FreePort.Next(), FreePort.Next(), FreePort.Next(), extraArguments, timeout: null, fileLimit: null, httpsPort);

    /// <summary>Starts the same broker again (same ports, data directory and settings) after it was killed.</summary>
    public Task<SiloProcess> RestartAsync(TimeSpan? timeout = null) =>
        StartAsync(DataDirectory, SiloPort, GatewayPort, HttpPort, KafkaPort, _extraArguments, timeout, _fileLimit, _httpsPort);

    private static async Task<SiloProcess> StartAsync(string dataDirectory, int siloPort, int gatewayPort, int httpPort, int kafkaPort, IReadOnlyList<string> extraArguments, TimeSpan? timeout, int? fileLimit, int? httpsPort = null)
    {
        // prlimit sets the limit and then becomes the broker (exec): the process id stays the broker's.
        var start = new ProcessStartInfo(fileLimit is null ? "dotnet" : "prlimit")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        List<string> arguments =
        [
            .. fileLimit is { } limit ? [$"--nofile={limit}:{limit}", "dotnet"] : Array.Empty<string>(),
            RepoPaths.SiloDll, "--data-dir", dataDirectory, "--urls", httpsPort is { } secure ? $"http://127.0.0.1:{httpPort};https://127.0.0.1:{secure}" : $"http://127.0.0.1:{httpPort}",
            "--silo-port", siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--gateway-port", gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--kafka-port", kafkaPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            .. extraArguments,
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var silo = new SiloProcess(process, dataDirectory, siloPort, gatewayPort, httpPort, kafkaPort, extraArguments) { _fileLimit = fileLimit, _httpsPort = httpsPort };
        process.OutputDataReceived += (_, e) => silo.Append(e.Data);
        process.ErrorDataReceived += (_, e) => silo.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await silo.WaitReadyAsync(timeout ?? TimeSpan.FromSeconds(60));
        return silo;
    }

    /// <summary>SIGKILL, and wait until the process is gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>SIGSTOP: the process stops answering anything (a long GC pause, a frozen VM) until <see cref="ResumeAsync"/>.</summary>
    public Task PauseAsync() => SignalAsync("-STOP");

    /// <summary>SIGCONT: a paused process runs on from where it stopped.</summary>
    public Task ResumeAsync() => SignalAsync("-CONT");

    private async Task SignalAsync(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!;
        await kill.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as Kubernetes stops a pod: the broker shuts down cleanly (controlled shutdown, logs flushed); waits until it has exited.</summary>
    public async Task StopAsync(TimeSpan? timeout = null)
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var term = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!)
        {
            await term.WaitForExitAsync();
        }

        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(deadline.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private async Task WaitReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                // Without a timeout, this also waits until the redirected output has been read to its end.
                await _process.WaitForExitAsync();
                throw new InvalidOperationException($"The broker exited with code {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{HttpPort}/health/ready"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        await KillAsync();
        throw new TimeoutException($"The broker was not ready within {timeout}:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
            if (LogDirectory is { } directory)
            {
                // Stamped on arrival, so the brokers' files and the test's own output line up.
                File.AppendAllLines(Path.Combine(directory, $"broker-{HttpPort}.log"), [$"{DateTime.UtcNow:HH:mm:ss.fff} {line}"]);
            }
        }
    }
}
