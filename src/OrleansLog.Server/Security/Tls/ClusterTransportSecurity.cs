using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Connections.Security;

namespace OrleansLog.Server.Security.Tls;

/// <summary>
/// Mutual TLS on the cluster's own connections (Orleans' connection security: silo to silo, and clients to gateways),
/// from the broker's <c>OrleansLog:Tls</c> PEM files, on when <c>OrleansLog:Cluster:Tls</c> is true. Every connection, in
/// either direction, must present a certificate that chains to <c>OrleansLog:Tls:CaPath</c> (the system's authorities
/// when unset); a client without one, or with one from another authority, cannot reach a gateway. A renewed
/// certificate is used for new connections, as on the Kafka listener.
/// </summary>
public static class ClusterTransportSecurity
{
    public const string EnabledKey = "OrleansLog:Cluster:Tls";

    /// <summary>Turns mutual TLS on for the silo's connections when <see cref="EnabledKey"/> is set; the settings are checked at once.</summary>
    public static ISiloBuilder UseOrleansLogClusterTls(this ISiloBuilder silo, IConfiguration configuration)
    {
        if (!configuration.GetValue<bool>(EnabledKey))
        {
            return silo;
        }

        var settings = TlsOptionsValidator.ReadChecked(configuration);

        // Its own watcher of the files: Orleans' connection options are built before the silo's services exist.
        var certificates = new TlsCertificates(Options.Create(settings), TimeProvider.System, NullLogger<TlsCertificates>.Instance);
        return silo.UseTls(tls =>
        {
            // The first certificate, which Orleans checks at start; the selectors give the current one (renewals) to each connection.
            tls.LocalCertificate = certificates.Current.Certificate;
            tls.LocalServerCertificateSelector = (_, _) => certificates.Current.Certificate;
            tls.LocalClientCertificateSelector = (_, _, _, _, _) => certificates.Current.Certificate;
            tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            tls.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
            tls.RemoteCertificateValidation = (certificate, chain, _) => certificates.Current.Trusts(certificate, chain);
        });
    }
}
