using Microsoft.Extensions.Options;
using OrleansLog.Hosting;

namespace OrleansLog.Server.Security.OAuth;

/// <summary>Refuses <see cref="OAuthOptions"/> tokens could not be checked with. Only used when OAUTHBEARER is offered.</summary>
public sealed class OAuthOptionsValidator : IValidateOptions<OAuthOptions>
{
    public ValidateOptionsResult Validate(string? name, OAuthOptions options) =>
        new OptionsChecks(OAuthOptions.SectionName)
            .NotEmpty(nameof(options.Issuer), options.Issuer)
            .That(Uri.TryCreate(options.JwksUrl, UriKind.Absolute, out var jwks) && jwks.Scheme is "https" or "http" or "file", nameof(options.JwksUrl), "must be an https://, http:// or file:// address of a JWK set", options.JwksUrl)
            .Positive(nameof(options.JwksRefreshInterval), options.JwksRefreshInterval)
            .NotEmpty(nameof(options.SubClaimName), options.SubClaimName)
            .NotNegative(nameof(options.ClockSkew), options.ClockSkew)
            .Result();
}
