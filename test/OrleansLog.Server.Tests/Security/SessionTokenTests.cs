using System.Security.Cryptography;
using OrleansLog.Server.Security.Sessions;

namespace OrleansLog.Server.Tests.Security;

/// <summary>The cluster's session tokens: only the cluster's key makes one that checks out, and only until it expires.</summary>
public sealed class SessionTokenTests
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(SessionKeyGrain.KeySize);
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_token_names_its_principal_until_it_expires()
    {
        var token = SessionToken.Issue("User:alice", Now.AddMinutes(10), Key);
        Assert.True(SessionToken.TryVerify(token, Key, Now, out var principal, out _));
        Assert.Equal("User:alice", principal);
        Assert.Equal(Now.AddMinutes(10), SessionToken.ExpiresAt(token));

        Assert.False(SessionToken.TryVerify(token, Key, Now.AddMinutes(10), out _, out var reason));
        Assert.Contains("expired", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_key_a_changed_principal_or_a_changed_expiry_breaks_the_signature()
    {
        var token = SessionToken.Issue("User:alice", Now.AddMinutes(10), Key);
        Assert.False(SessionToken.TryVerify(token, RandomNumberGenerator.GetBytes(SessionKeyGrain.KeySize), Now, out _, out var reason));
        Assert.Contains("signature", reason, StringComparison.Ordinal);

        var parts = token.Split('.');
        var admin = SessionToken.Issue("User:admin", Now.AddMinutes(10), Key).Split('.')[1];
        Assert.False(SessionToken.TryVerify(string.Join('.', parts[0], admin, parts[2], parts[3]), Key, Now, out _, out _));
        Assert.False(SessionToken.TryVerify(string.Join('.', parts[0], parts[1], Now.AddYears(1).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture), parts[3]), Key, Now, out _, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("v1")]
    [InlineData("v1.a.b.c")]
    [InlineData("v2.VXNlcjphbGljZQ.1.AAAA")]
    [InlineData("v1.!!!.99999999999999.AAAA")]
    [InlineData("v1.VXNlcjphbGljZQ.99999999999999.!!!")]
    [InlineData("v1.VXNlcjphbGljZQ.-5.AAAA")]
    public void A_malformed_token_is_refused(string token)
    {
        Assert.False(SessionToken.TryVerify(token, Key, Now, out var principal, out var reason));
        Assert.Equal("", principal);
        Assert.NotEmpty(reason);
    }

    [Fact]
    public void A_token_longer_than_the_bound_is_refused_before_it_is_parsed()
    {
        var token = SessionToken.Issue(new string('a', SessionToken.MaxLength), Now.AddMinutes(10), Key);
        Assert.False(SessionToken.TryVerify(token, Key, Now, out _, out var reason));
        Assert.Contains("malformed", reason, StringComparison.Ordinal);
    }
}
