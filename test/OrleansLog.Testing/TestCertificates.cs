using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OrleansLog.Testing;

/// <summary>
/// A test certificate authority made on the spot (ECDSA P-256), and PEM files signed by it: a server certificate for
/// 127.0.0.1 and localhost, and client certificates with a given subject. Each file is written as cert-manager and
/// Kafka users keep them: certificate, key and CA in separate PEM files.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private readonly X509Certificate2 _authority;

    public TestCertificates(string directory, string authorityName = "CN=OrleansLog Test CA")
    {
        Directory = directory;
        System.IO.Directory.CreateDirectory(directory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(authorityName, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        _authority = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        CaPath = Path.Combine(directory, "ca.crt");
        File.WriteAllText(CaPath, _authority.ExportCertificatePem());
    }

    public string Directory { get; }

    /// <summary>The authority's certificate, PEM.</summary>
    public string CaPath { get; }

    /// <summary>Writes a server certificate (for server and client authentication) for 127.0.0.1 and localhost as "{name}.crt" and "{name}.key"; returns both paths.</summary>
    public (string CertificatePath, string KeyPath) IssueServer(string name = "broker", string subject = "CN=broker") =>
        Issue(name, subject, server: true);

    /// <summary>Writes a client certificate with <paramref name="subject"/> as "{name}.crt" and "{name}.key"; returns both paths.</summary>
    public (string CertificatePath, string KeyPath) IssueClient(string name, string subject) =>
        Issue(name, subject, server: false);

    /// <summary>The serial number of the certificate in <paramref name="certificatePath"/>.</summary>
    public static string SerialOf(string certificatePath)
    {
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(certificatePath));
        return certificate.SerialNumber;
    }

    public void Dispose() => _authority.Dispose();

    private (string, string) Issue(string name, string subject, bool server)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        // A server certificate is also a client's: silos connect to each other with it.
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(server ? [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")] : [new Oid("1.3.6.1.5.5.7.3.2")], false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
        }

        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        using var certificate = request.Create(_authority, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), serial);
        var certificatePath = Path.Combine(Directory, name + ".crt");
        var keyPath = Path.Combine(Directory, name + ".key");

        // Written beside and moved in, as a renewal by cert-manager replaces the files whole.
        File.WriteAllText(keyPath + ".new", key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certificatePath + ".new", certificate.ExportCertificatePem());
        File.Move(keyPath + ".new", keyPath, overwrite: true);
        File.Move(certificatePath + ".new", certificatePath, overwrite: true);
        return (certificatePath, keyPath);
    }
}
