using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;
using OrleansLog.Server.Security.OAuth;
using OrleansLog.Testing;

namespace OrleansLog.Server.Tests.Security;

/// <summary>Bearer tokens as Kafka's OAUTHBEARER validator checks them: signature by the issuer's keys, issuer, audience, lifetime, subject.</summary>
public sealed class JwtValidatorTests : IDisposable
{
    private readonly TempDirectory _files = new();
    private readonly TestTokenIssuer _issuer;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
    private readonly JwtValidator _validator;

    public JwtValidatorTests()
    {
        _issuer = new TestTokenIssuer(_files.Sub("issuer"));
        _validator = new JwtValidator(
            Options.Create(new OAuthOptions { Issuer = TestTokenIssuer.DefaultIssuer, Audience = TestTokenIssuer.DefaultAudience, JwksUrl = _issuer.JwksUrl }),
            _time,
            NullLogger<JwtValidator>.Instance);
    }

    public void Dispose()
    {
        _validator.Dispose();
        _issuer.Dispose();
        _files.Dispose();
    }

    private DateTimeOffset Now => _time.GetUtcNow();

    [Fact]
    public async Task A_valid_token_names_its_subject_and_expiry()
    {
        var (principal, expires) = await _validator.ValidateAsync(_issuer.Issue("alice", Now.AddMinutes(-1), Now.AddMinutes(10)));
        Assert.Equal("User:alice", principal);
        Assert.Equal(Now.AddMinutes(10).ToUnixTimeSeconds(), expires.ToUnixTimeSeconds());
    }

    [Fact]
    public async Task An_expired_or_not_yet_valid_token_is_refused_by_the_brokers_clock()
    {
        var token = _issuer.Issue("alice", Now.AddMinutes(-1), Now.AddMinutes(5));
        _time.Advance(TimeSpan.FromMinutes(6));
        await Assert.ThrowsAsync<SecurityTokenException>(() => _validator.ValidateAsync(token));
        await Assert.ThrowsAsync<SecurityTokenException>(() => _validator.ValidateAsync(_issuer.Issue("alice", Now.AddMinutes(5), Now.AddMinutes(10))));
    }

    [Fact]
    public async Task Another_issuer_audience_or_signing_key_is_refused()
    {
        await Assert.ThrowsAsync<SecurityTokenException>(() => _validator.ValidateAsync(_issuer.Issue("alice", Now.AddMinutes(-1), Now.AddMinutes(5), issuer: "https://elsewhere.test")));
        await Assert.ThrowsAsync<SecurityTokenException>(() => _validator.ValidateAsync(_issuer.Issue("alice", Now.AddMinutes(-1), Now.AddMinutes(5), audience: "someone-else")));
        using var stranger = new TestTokenIssuer(_files.Sub("stranger"), keyId: "test-key");
        await Assert.ThrowsAsync<SecurityTokenException>(() => _validator.ValidateAsync(stranger.Issue("alice", Now.AddMinutes(-1), Now.AddMinutes(5))));
    }

    [Fact]
    public async Task An_unsigned_token_or_garbage_is_refused()
    {
        var signed = _issuer.Issue("alice", Now.AddMinutes(-1), Now.AddMinutes(5));
        var parts = signed.Split('.');
        var unsigned = $"{Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""")}.{parts[1]}.";
        await Assert.ThrowsAsync<SecurityTokenException>(() => _validator.ValidateAsync(unsigned));
        await Assert.ThrowsAsync<SecurityTokenException>(() => _validator.ValidateAsync("not-a-token"));
    }
}

/// <summary>Every rule of the OAuth options validator, one bad value at a time.</summary>
public sealed class OAuthOptionsValidatorTests
{
    [Theory]
    [InlineData("Issuer")]
    [InlineData("JwksUrl")]
    [InlineData("JwksRefreshInterval")]
    [InlineData("SubClaimName")]
    [InlineData("ClockSkew")]
    public void OAuth_settings_are_refused_by_name(string setting)
    {
        var options = new OAuthOptions { Issuer = "https://issuer.test", JwksUrl = "file:///etc/jwks.json" };
        Assert.True(new OAuthOptionsValidator().Validate(null, options).Succeeded);
        switch (setting)
        {
            case "Issuer": options.Issuer = ""; break;
            case "JwksUrl": options.JwksUrl = "ftp://issuer.test/keys"; break;
            case "JwksRefreshInterval": options.JwksRefreshInterval = TimeSpan.Zero; break;
            case "SubClaimName": options.SubClaimName = ""; break;
            default: options.ClockSkew = TimeSpan.FromSeconds(-1); break;
        }

        var failure = Assert.Single(new OAuthOptionsValidator().Validate(null, options).Failures!);
        Assert.StartsWith($"OrleansLog:OAuth:{setting} ", failure, StringComparison.Ordinal);
    }
}
