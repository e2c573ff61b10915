namespace OrleansLog.Server.Security.OAuth;

/// <summary>
/// The identity provider whose JWTs the broker accepts (SASL/OAUTHBEARER), bound from <c>OrleansLog:OAuth</c> (Kafka's
/// <c>sasl.oauthbearer.*</c> names in comments).
/// </summary>
public sealed class OAuthOptions
{
    public const string SectionName = "OrleansLog:OAuth";

    /// <summary>The issuer tokens must name in <c>iss</c> (<c>sasl.oauthbearer.expected.issuer</c>).</summary>
    public string? Issuer { get; set; }

    /// <summary>An audience tokens must name in <c>aud</c> (<c>sasl.oauthbearer.expected.audience</c>); unset, not checked.</summary>
    public string? Audience { get; set; }

    /// <summary>The issuer's signing keys as a JWK set, at an https://, http:// or file:// address (<c>sasl.oauthbearer.jwks.endpoint.url</c>).</summary>
    public string? JwksUrl { get; set; }

    /// <summary>How often the key set is read again (<c>sasl.oauthbearer.jwks.endpoint.refresh.ms</c>); a token signed by an unknown key also reads it, at most once per <see cref="ClockSkew"/>.</summary>
    public TimeSpan JwksRefreshInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The claim that names the principal (<c>sasl.oauthbearer.sub.claim.name</c>): "User:" and its value.</summary>
    public string SubClaimName { get; set; } = "sub";

    /// <summary>Clock difference tolerated on <c>exp</c> and <c>nbf</c> (<c>sasl.oauthbearer.clock.skew.seconds</c>).</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);
}
