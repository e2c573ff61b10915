using OrleansLog.Server.Security.Tls;
using OrleansLog.Testing;

namespace OrleansLog.Server.Tests.Security;

/// <summary>A TLS listener's settings are refused at start, with the setting named, when its files cannot be used.</summary>
public sealed class TlsOptionsValidatorTests : IDisposable
{
    private readonly TempDirectory _files = new();
    private readonly TestCertificates _ca;
    private readonly string _certificate;
    private readonly string _key;

    public TlsOptionsValidatorTests()
    {
        _ca = new TestCertificates(_files.Sub("pki"));
        (_certificate, _key) = _ca.IssueServer();
    }

    public void Dispose()
    {
        _ca.Dispose();
        _files.Dispose();
    }

    [Fact]
    public void Usable_files_pass()
    {
        var result = new TlsOptionsValidator().Validate(null, new TlsOptions { CertificatePath = _certificate, KeyPath = _key, CaPath = _ca.CaPath });
        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Missing_paths_are_refused() =>
        AssertRefused(new TlsOptions(), "OrleansLog:Tls:CertificatePath must not be empty", "OrleansLog:Tls:KeyPath must not be empty");

    [Fact]
    public void A_missing_file_is_refused() =>
        AssertRefused(new TlsOptions { CertificatePath = _files.Sub("nope.crt"), KeyPath = _key }, "OrleansLog:Tls:CertificatePath", "cannot be loaded");

    [Fact]
    public void A_key_that_is_not_the_certificates_is_refused()
    {
        var (_, otherKey) = _ca.IssueClient("other", "CN=other");
        AssertRefused(new TlsOptions { CertificatePath = _certificate, KeyPath = otherKey }, "cannot be loaded");
    }

    [Fact]
    public void A_ca_file_without_a_certificate_is_refused()
    {
        var empty = _files.Sub("empty.crt");
        File.WriteAllText(empty, "not a certificate\n");
        AssertRefused(new TlsOptions { CertificatePath = _certificate, KeyPath = _key, CaPath = empty }, "holds no PEM certificate");
    }

    [Fact]
    public void Bad_mapping_rules_and_timings_are_refused() =>
        AssertRefused(
            new TlsOptions { CertificatePath = _certificate, KeyPath = _key, PrincipalMappingRules = "RULE:oops", ReloadInterval = TimeSpan.Zero, HandshakeTimeout = TimeSpan.Zero },
            "PrincipalMappingRules",
            "ReloadInterval must be positive",
            "HandshakeTimeout must be positive");

    private static void AssertRefused(TlsOptions options, params string[] mentions)
    {
        var result = new TlsOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        foreach (var mention in mentions)
        {
            Assert.Contains(mention, result.FailureMessage, StringComparison.Ordinal);
        }
    }
}
