using System.Net;
using Microsoft.Extensions.Options;
using OrleansLog.Hosting;

namespace OrleansLog.Kafka.Hosting;

/// <summary>Refuses <see cref="KafkaListenerOptions"/> the listener could not bind or serve with.</summary>
public sealed class KafkaListenerOptionsValidator : IValidateOptions<KafkaListenerOptions>
{
    /// <summary>Below this no real request fits (a produce of one small batch is already larger).</summary>
    public const int MinRequestBytes = 1024;

    public ValidateOptionsResult Validate(string? name, KafkaListenerOptions options) =>
        new OptionsChecks(KafkaListenerOptions.SectionName)
            .That(IPAddress.TryParse(options.ListenAddress, out _), nameof(options.ListenAddress), "must be an IP address", options.ListenAddress)
            .Between(nameof(options.Port), options.Port, 1, IPEndPoint.MaxPort)
            .AtLeast(nameof(options.MaxRequestBytes), options.MaxRequestBytes, MinRequestBytes)
            .AtLeast(nameof(options.MaxInFlightRequestsPerConnection), options.MaxInFlightRequestsPerConnection, 1)
            .AtLeast(nameof(options.DefaultPartitions), options.DefaultPartitions, 1)
            .That(options.QueuedMaxRequestBytes >= options.MaxRequestBytes, nameof(options.QueuedMaxRequestBytes), $"must be at least MaxRequestBytes ({options.MaxRequestBytes})", options.QueuedMaxRequestBytes)
            .AtLeast(nameof(options.MaxConnections), options.MaxConnections, 1)
            .AtLeast(nameof(options.MaxConnectionsPerIp), options.MaxConnectionsPerIp, 1)
            .Positive(nameof(options.ConnectionsMaxIdle), options.ConnectionsMaxIdle)
            .Positive(nameof(options.FrameReadTimeout), options.FrameReadTimeout)
            .That(options.Listeners is not { Length: > 0 } listeners || KafkaListenerEndpoint.TryParse(listeners, out _) is not null, nameof(options.Listeners), ListenersError(options.Listeners), options.Listeners)
            .That(options.Sasl.Mechanisms.Count > 0 && options.Sasl.Mechanisms.All(m => SaslMechanisms.Contains(m)), "Sasl:Mechanisms", $"must name one or more of {string.Join(", ", SaslMechanisms)}", string.Join(",", options.Sasl.Mechanisms))
            .NotNegative("Sasl:FailedAuthenticationDelay", options.Sasl.FailedAuthenticationDelay)
            .NotNegative("Sasl:MaxReauth", options.Sasl.MaxReauth)
            .Result();

    /// <summary>The SASL mechanisms the listener can serve.</summary>
    public static readonly IReadOnlySet<string> SaslMechanisms = new HashSet<string>(StringComparer.Ordinal) { "SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN", "OAUTHBEARER" };

    private static string ListenersError(string? listeners)
    {
        string? error = null;
        _ = listeners is { Length: > 0 } ? KafkaListenerEndpoint.TryParse(listeners, out error) : null;
        return error ?? "";
    }
}
