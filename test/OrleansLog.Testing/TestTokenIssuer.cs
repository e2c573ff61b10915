using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace OrleansLog.Testing;

/// <summary>
/// An identity provider made on the spot: an ECDSA P-256 signing key published as a JWK set file, and signed JWTs
/// with a subject, issuer, audience and lifetime, as an OAuth server hands them to clients.
/// </summary>
public sealed class TestTokenIssuer : IDisposable
{
    public const string DefaultIssuer = "https://issuer.test";
    public const string DefaultAudience = "orleanslog";

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsaSecurityKey _signingKey;

    public TestTokenIssuer(string directory, string keyId = "test-key")
    {
        Directory.CreateDirectory(directory);
        _signingKey = new ECDsaSecurityKey(_key) { KeyId = keyId };
        var jwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(_signingKey);
        jwk.Use = "sig";
        jwk.Alg = SecurityAlgorithms.EcdsaSha256;
        JwksPath = Path.Combine(directory, keyId + ".jwks.json");
        File.WriteAllText(JwksPath, $$"""{"keys":[{"kty":"{{jwk.Kty}}","crv":"{{jwk.Crv}}","x":"{{jwk.X}}","y":"{{jwk.Y}}","kid":"{{jwk.Kid}}","use":"sig","alg":"ES256"}]}""");
    }

    /// <summary>The JWK set file holding the public key.</summary>
    public string JwksPath { get; }

    public string JwksUrl => new Uri(JwksPath).AbsoluteUri;

    /// <summary>A signed token for <paramref name="subject"/> valid from <paramref name="notBefore"/> until <paramref name="expires"/>.</summary>
    public string Issue(string subject, DateTimeOffset notBefore, DateTimeOffset expires, string issuer = DefaultIssuer, string audience = DefaultAudience) =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity([new Claim("sub", subject)]),
            NotBefore = notBefore.UtcDateTime,
            IssuedAt = notBefore.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(_signingKey, SecurityAlgorithms.EcdsaSha256),
        });

    /// <summary>A token valid for an hour from now.</summary>
    public string Issue(string subject) => Issue(subject, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1));

    public void Dispose() => _key.Dispose();
}
