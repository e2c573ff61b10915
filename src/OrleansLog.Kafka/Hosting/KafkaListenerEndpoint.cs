using System.Globalization;
using System.Net;

namespace OrleansLog.Kafka.Hosting;

/// <summary>
/// One Kafka listener, as Kafka's <c>listeners</c> setting names it: "PROTOCOL://address:port", where the listener's
/// name is its security protocol (Kafka's default <c>listener.security.protocol.map</c>), so a broker has at most one
/// listener of each. Immutable.
/// </summary>
public sealed record KafkaListenerEndpoint(string Name, IPAddress Address, int Port)
{
    public const string Plaintext = "PLAINTEXT";
    public const string SaslPlaintext = "SASL_PLAINTEXT";
    public const string Ssl = "SSL";
    public const string SaslSsl = "SASL_SSL";

    /// <summary>The protocols a listener may be set to.</summary>
    public static readonly IReadOnlySet<string> Protocols = new HashSet<string>(StringComparer.Ordinal) { Plaintext, SaslPlaintext, Ssl, SaslSsl };

    /// <summary>Whether clients must authenticate with SASL before anything but ApiVersions.</summary>
    public bool UsesSasl => Name is SaslPlaintext or SaslSsl;

    /// <summary>Whether connections run TLS (with the broker's <c>OrleansLog:Tls</c> certificate) before the Kafka protocol.</summary>
    public bool UsesTls => Name is Ssl or SaslSsl;

    public IPEndPoint EndPoint => new(Address, Port);

    /// <summary>
    /// Parses a comma-separated list ("PLAINTEXT://127.0.0.1:9092,SASL_PLAINTEXT://0.0.0.0:9093"); null and the reason
    /// when an entry is not "PROTOCOL://ip:port" of a known protocol, or a protocol or port repeats.
    /// </summary>
    public static IReadOnlyList<KafkaListenerEndpoint>? TryParse(string listeners, out string? error)
    {
        var parsed = new List<KafkaListenerEndpoint>();
        foreach (var entry in listeners.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var scheme = entry.IndexOf("://", StringComparison.Ordinal);
            var colon = entry.LastIndexOf(':');
            var name = scheme > 0 ? entry[..scheme] : "";
            if (!Protocols.Contains(name))
            {
                error = $"\"{entry}\" does not start with a security protocol ({string.Join(", ", Protocols)})";
                return null;
            }

            var host = colon > scheme + 3 ? entry[(scheme + 3)..colon].Trim('[', ']') : "";
            if (!IPAddress.TryParse(host, out var address) || !int.TryParse(entry.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > IPEndPoint.MaxPort)
            {
                error = $"\"{entry}\" is not {name}://ip-address:port";
                return null;
            }

            if (parsed.Any(l => l.Name == name || l.Port == port))
            {
                error = $"\"{entry}\" repeats a protocol or a port; each listener needs its own of both";
                return null;
            }

            parsed.Add(new KafkaListenerEndpoint(name, address, port));
        }

        error = parsed.Count == 0 ? "no listener is given" : null;
        return parsed.Count == 0 ? null : parsed;
    }
}
