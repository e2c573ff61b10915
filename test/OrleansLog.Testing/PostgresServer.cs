using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace OrleansLog.Testing;

/// <summary>
/// A real PostgreSQL server for one test run: Debian's binaries (installed by <c>test/run.sh</c>),
/// <c>initdb</c> in a temp directory, listening on a free loopback port only, stopped and removed at the
/// end. PostgreSQL refuses to run as root, so as root the server runs as the <c>postgres</c> user.
/// <see cref="StopAsync"/> and <see cref="StartAsync()"/> take it away and bring it back (same data), for
/// outage tests.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly TempDirectory _root = new();
    private readonly string _bin;

    private PostgresServer(string bin, int port)
    {
        _bin = bin;
        Port = port;
    }

    public int Port { get; }

    private string DataDirectory => _root.Sub("data");

    private string SocketDirectory => _root.Sub("socket");

    /// <summary>A connection string for <paramref name="database"/> as the superuser (trust authentication on loopback).</summary>
    public string ConnectionString(string database = "postgres") =>
        string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Timeout=5;Command Timeout=10");

    /// <summary>Creates a cluster in a temp directory and starts it.</summary>
    public static async Task<PostgresServer> StartNewAsync()
    {
        var bin = FindBinaries();
        var server = new PostgresServer(bin, FreePort.Next());
        Directory.CreateDirectory(server.SocketDirectory);
        if (IsRoot)
        {
            // The postgres user needs to reach its directories; the rest of /tmp/orleanslog-tests stays as it is.
            await RunAsync("chown", ["-R", "postgres:postgres", server._root.Path]);
        }

        await server.RunAsPostgresAsync("initdb", ["-D", server.DataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions"]);
        await server.StartAsync();
        return server;
    }

    /// <summary>Starts (or restarts) the server and waits until it accepts connections.</summary>
    public Task StartAsync() =>
        RunAsPostgresAsync("pg_ctl", [
            "-D", DataDirectory, "-w", "-t", "30", "-l", Path.Combine(_root.Path, "server.log"), "start",
            "-o", string.Create(CultureInfo.InvariantCulture,
                // Loopback only; fsync off because these tests are about OrleansLog's durability, not PostgreSQL's; logical
                // replication on for the change-data-capture connector.
                $"-p {Port} -k {SocketDirectory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c wal_level=logical -c max_replication_slots=20 -c max_wal_senders=20"),
        ]);

    /// <summary>Fast shutdown: open connections are cut, as in a real outage.</summary>
    public Task StopAsync() => RunAsPostgresAsync("pg_ctl", ["-D", DataDirectory, "-w", "-t", "30", "-m", "fast", "stop"]);

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsPostgresAsync("pg_ctl", ["-D", DataDirectory, "-w", "-t", "10", "-m", "immediate", "stop"]);
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        NpgsqlConnection.ClearAllPools();
        _root.Dispose();
    }

    private static bool IsRoot => Environment.UserName == "root";

    private Task RunAsPostgresAsync(string tool, IReadOnlyList<string> arguments) =>
        IsRoot
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. arguments])
            : RunAsync(Path.Combine(_bin, tool), arguments);

    private static string FindBinaries()
    {
        var versions = Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql") : [];
        return versions
            .Select(v => Path.Combine(v, "bin"))
            .Where(bin => File.Exists(Path.Combine(bin, "initdb")))
            .OrderByDescending(bin => bin, StringComparer.Ordinal)
            .FirstOrDefault()
            ?? throw new InvalidOperationException("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): run test/run.sh, which installs it.");
    }

    private static async Task RunAsync(string file, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
        }
    }
}
