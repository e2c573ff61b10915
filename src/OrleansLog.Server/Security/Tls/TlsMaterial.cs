using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OrleansLog.Server.Security.Tls;

/// <summary>
/// One loaded set of the broker's TLS files: its certificate with key and chain, ready for <see cref="System.Net.Security.SslStream"/>,
/// and the authorities trusted for client certificates. Immutable once loaded; a renewal loads a new one, and the old one is left to the collector, as handshakes under way may still use it.
/// </summary>
public sealed class TlsMaterial
{
    private TlsMaterial(X509Certificate2 certificate, X509Certificate2Collection chain, X509Certificate2Collection? authorities)
    {
        Certificate = certificate;
        Chain = chain;
        Authorities = authorities;
        Context = SslStreamCertificateContext.Create(certificate, chain, offline: true);
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>The certificates after the first in the certificate file: the chain sent with it.</summary>
    public X509Certificate2Collection Chain { get; }

    /// <summary>The authorities in <see cref="TlsOptions.CaPath"/>; null when unset (the system's are trusted).</summary>
    public X509Certificate2Collection? Authorities { get; }

    public SslStreamCertificateContext Context { get; }

    /// <summary>Loads the files <paramref name="options"/> names; null and one line saying what is wrong when they cannot be used.</summary>
    public static TlsMaterial? TryLoad(TlsOptions options, out string? error)
    {
        X509Certificate2? certificate = null;
        try
        {
            var all = new X509Certificate2Collection();
            all.ImportFromPemFile(options.CertificatePath!);
            if (all.Count == 0)
            {
                error = $"holds no PEM certificate";
                return null;
            }

            certificate = X509Certificate2.CreateFromPemFile(options.CertificatePath!, options.KeyPath);
            var chain = new X509Certificate2Collection();
            for (var i = 1; i < all.Count; i++)
            {
                chain.Add(all[i]);
            }

            all[0].Dispose();
            X509Certificate2Collection? authorities = null;
            if (options.CaPath is { Length: > 0 } caPath)
            {
                authorities = [];
                authorities.ImportFromPemFile(caPath);
                if (authorities.Count == 0)
                {
                    error = $"comes with CaPath {caPath}, which holds no PEM certificate";
                    certificate.Dispose();
                    return null;
                }
            }

            error = null;
            return new TlsMaterial(certificate, chain, authorities);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            certificate?.Dispose();
            error = $"with KeyPath {options.KeyPath} and CaPath {options.CaPath ?? "(unset)"} cannot be loaded: {e.Message.TrimEnd('.')}";
            return null;
        }
    }

    /// <summary>Whether a peer's certificate chains to <see cref="Authorities"/> (or the system's roots when there are none).</summary>
    public bool Trusts(X509Certificate2 client, X509Chain? presented) => OrleansLog.Security.CertificateTrust.ChainsTo(client, presented, Authorities);
}
