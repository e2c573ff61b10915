using System.Globalization;

namespace OrleansLog.Brokers;

/// <summary>
/// A broker's advertised Kafka endpoints as the coordinator stores them (<see cref="BrokerDescription.KafkaEndpoint"/>):
/// "host:port" for a broker with one PLAINTEXT listener (the form written before listeners had names), else Kafka's
/// <c>advertised.listeners</c> form, "NAME://host:port,NAME://host:port". The one place it is written and read.
/// </summary>
public static class KafkaEndpoint
{
    public const string DefaultListener = "PLAINTEXT";

    public static string Format(string host, int port) => string.Create(CultureInfo.InvariantCulture, $"{host}:{port}");

    /// <summary>The stored form of a broker's listeners.</summary>
    public static string Format(IReadOnlyList<(string Listener, string Host, int Port)> listeners) =>
        listeners is [var only] && only.Listener == DefaultListener
            ? Format(only.Host, only.Port)
            : string.Join(',', listeners.Select(l => $"{l.Listener}://{Format(l.Host, l.Port)}"));

    /// <summary>The broker's first listener's host and port (what a console shows).</summary>
    public static bool TryParse(string? endpoint, out string host, out int port) =>
        TryParse(endpoint, listener: null, out host, out port);

    /// <summary>The host and port of the broker's listener named <paramref name="listener"/> (any one when null).</summary>
    public static bool TryParse(string? endpoint, string? listener, out string host, out int port)
    {
        host = "";
        port = 0;
        if (endpoint is null)
        {
            return false;
        }

        foreach (var entry in endpoint.Split(','))
        {
            var scheme = entry.IndexOf("://", StringComparison.Ordinal);
            var name = scheme > 0 ? entry[..scheme] : DefaultListener;
            if (listener is null || name == listener)
            {
                return TryParseHostPort(scheme > 0 ? entry[(scheme + 3)..] : entry, out host, out port);
            }
        }

        return false;
    }

    private static bool TryParseHostPort(string endpoint, out string host, out int port)
    {
        host = "";
        port = 0;
        var colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is <= 0 or > 65535)
        {
            return false;
        }

        host = endpoint[..colon];
        return true;
    }
}
