using System.Net;
using System.Security.Cryptography.X509Certificates;
using OrleansLog.Testing;

namespace OrleansLog.Web.Tests;

/// <summary>
/// HTTPS on the web port from the broker's <c>OrleansLog:Tls</c> PEM files: a client that trusts the test CA is served
/// the API, the console and the probes over TLS, with Basic credentials checked as over HTTP; a client that does not
/// trust the CA refuses the connection.
/// </summary>
public sealed class HttpsTests : IAsyncLifetime
{
    private readonly TempDirectory _files = new();
    private readonly int _httpsPort = FreePort.Next();
    private TestCertificates _ca = null!;
    private SiloProcess _broker = null!;

    public async Task InitializeAsync()
    {
        _ca = new TestCertificates(_files.Sub("ca"));
        var (certificate, key) = _ca.IssueServer();
        _broker = await SiloProcess.StartWithHttpsAsync(_files.Sub("data"), _httpsPort,
        [
            "--OrleansLog:Tls:CertificatePath", certificate,
            "--OrleansLog:Tls:KeyPath", key,
            "--OrleansLog:Web:Security:RequireAuthentication", "true",
            "--OrleansLog:Bootstrap:User", "https-admin",
            "--OrleansLog:Bootstrap:Password", "https-admin-secret",
        ]);
    }

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        _ca.Dispose();
        _files.Dispose();
    }

    [Fact]
    public async Task A_client_that_trusts_the_ca_is_served_over_tls_with_credentials_checked()
    {
        var authorities = new X509Certificate2Collection();
        authorities.ImportFromPemFile(_ca.CaPath);
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, chain, _) => certificate is not null && OrleansLog.Security.CertificateTrust.ChainsTo(certificate, chain, authorities),
        };
        using var https = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{_httpsPort}") };

        Assert.Equal(HttpStatusCode.OK, (await https.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await https.GetAsync(new Uri("/v3/clusters", UriKind.Relative))).StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v3/clusters") { Headers = { Authorization = SecuredWebFixture.Basic("https-admin", "https-admin-secret") } };
        using var served = await https.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Contains("KafkaClusterList", await served.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_that_does_not_trust_the_ca_refuses_the_connection()
    {
        using var https = new HttpClient { BaseAddress = new Uri($"https://127.0.0.1:{_httpsPort}") };
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => https.GetAsync(new Uri("/health/ready", UriKind.Relative)));
        Assert.IsType<System.Security.Authentication.AuthenticationException>(refused.InnerException);
    }
}
