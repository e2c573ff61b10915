using System.Globalization;
using System.Net;

namespace OrleansLog.Cli.Connection;

/// <summary>A broker gateway as "host:port" (default 127.0.0.1:30000); <c>--gateway</c> takes a comma-separated list of them.</summary>
internal sealed record GatewayAddress(string Host, int Port)
{
    public const string Default = "127.0.0.1:30000";

    /// <summary>Parses "host:port[,host:port...]": with several, the client uses whichever brokers answer.</summary>
    public static IReadOnlyList<GatewayAddress> ParseList(string text) =>
        text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } parts
            ? parts.Select(Parse).ToArray()
            : throw new CliException(ExitCodes.Usage, "--gateway is empty");

    public static GatewayAddress Parse(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new CliException(ExitCodes.Usage, $"--gateway \"{text}\" is not host:port");
        }

        return new GatewayAddress(text[..colon], port);
    }

    public async Task<IPEndPoint> ResolveAsync(CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(Host, out var address))
        {
            return new IPEndPoint(address, Port);
        }

        try
        {
            var addresses = await Dns.GetHostAddressesAsync(Host, cancellationToken);
            return new IPEndPoint(addresses.First(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork), Port);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or InvalidOperationException)
        {
            throw new CliException(ExitCodes.Unreachable, $"cannot resolve the broker host \"{Host}\"");
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");
}
