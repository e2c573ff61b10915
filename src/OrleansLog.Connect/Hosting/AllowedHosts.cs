using System.Globalization;

namespace OrleansLog.Connect.Hosting;

/// <summary>Whether a connector may connect to a host (<see cref="ConnectOptions.AllowedHosts"/>: a host, or host:port).</summary>
public static class AllowedHosts
{
    /// <summary>What is wrong with connecting to <paramref name="host"/>:<paramref name="port"/>, or null.</summary>
    public static string? Check(string host, int port, IReadOnlyList<string> allowed)
    {
        var authority = string.Create(CultureInfo.InvariantCulture, $"{host}:{port}");
        return allowed.Count == 0 ? "Connectors that connect to other hosts are off on this cluster: the brokers' OrleansLog:Connect:AllowedHosts names no host."
            : allowed.Any(a => string.Equals(a, host, StringComparison.OrdinalIgnoreCase) || string.Equals(a, authority, StringComparison.OrdinalIgnoreCase)) ? null
            : $"{authority} is not a host connectors may connect to ({string.Join(", ", allowed)}).";
    }
}
