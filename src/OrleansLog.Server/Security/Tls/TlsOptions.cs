namespace OrleansLog.Server.Security.Tls;

/// <summary>
/// The broker's certificates, bound from <c>OrleansLog:Tls</c>: PEM files (what cert-manager and every CA hand out),
/// used by every TLS listener (Kafka's <c>ssl.*</c> names in comments).
/// </summary>
public sealed class TlsOptions
{
    public const string SectionName = "OrleansLog:Tls";

    /// <summary>The broker's certificate, PEM; further certificates in the file are its chain, sent to clients (<c>ssl.keystore.location</c>).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The certificate's private key, PEM (PKCS#8, PKCS#1 or SEC1), unencrypted: protect it with file permissions.</summary>
    public string? KeyPath { get; set; }

    /// <summary>The authorities whose client certificates are trusted, PEM (<c>ssl.truststore.location</c>); unset, the system's.</summary>
    public string? CaPath { get; set; }

    /// <summary>Whether clients present certificates (<c>ssl.client.auth</c>): none (Kafka's default), requested or required.</summary>
    public TlsClientAuth ClientAuth { get; set; } = TlsClientAuth.None;

    /// <summary>
    /// How a client certificate's subject becomes a principal (<c>ssl.principal.mapping.rules</c>), in Kafka's syntax:
    /// "RULE:^CN=(.*?),.*$/$1/L,DEFAULT"; DEFAULT is the whole subject in RFC 2253 form.
    /// </summary>
    public string PrincipalMappingRules { get; set; } = "DEFAULT";

    /// <summary>How often the files are checked for a renewed certificate; a renewal applies to new connections.</summary>
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A client must finish its TLS handshake within this time, or its connection is closed.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>Kafka's <c>ssl.client.auth</c>.</summary>
public enum TlsClientAuth
{
    /// <summary>No client certificate is asked for.</summary>
    None,

    /// <summary>A client certificate is asked for; a client without one is anonymous, one with an untrusted one is refused.</summary>
    Requested,

    /// <summary>A client without a trusted certificate is refused.</summary>
    Required,
}
