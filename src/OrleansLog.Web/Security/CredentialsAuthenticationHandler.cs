using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLog.Web.Api;

namespace OrleansLog.Web.Security;

/// <summary>
/// HTTP Basic (a user of the cluster's SCRAM store) and bearer JWTs (the issuer of <c>OrleansLog:OAuth</c>), both
/// signed in through the cluster, which answers with the session the request's grain calls then carry. A request
/// without an Authorization header is left to the other schemes; a refused one fails. The challenge is 401 and the
/// refusal 403, both problem+json, the challenge with <c>WWW-Authenticate</c> for both schemes.
/// </summary>
public sealed class CredentialsAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    SessionSignIn signIn) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "OrleansLogCredentials";

    /// <summary>The claim that holds the cluster's session token.</summary>
    public const string SessionClaim = "orleanslog:session";

    /// <summary>Longest Authorization header read (a JWT with many claims fits).</summary>
    private const int MaxHeaderLength = 16 * 1024;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (header.Length > MaxHeaderLength || !AuthenticationHeaderValue.TryParse(header, out var value) || string.IsNullOrEmpty(value.Parameter))
        {
            return AuthenticateResult.Fail("The Authorization header is malformed.");
        }

        try
        {
            var grant = value.Scheme.ToUpperInvariant() switch
            {
                "BASIC" when Basic(value.Parameter) is var (user, password) => await signIn.WithPassword(user, password),
                "BEARER" => await signIn.WithBearer(value.Parameter),
                _ => null,
            };
            return grant is null
                ? AuthenticateResult.Fail("The Authorization header is neither Basic user:password nor a Bearer token.")
                : AuthenticateResult.Success(new AuthenticationTicket(Principal(grant, SchemeName), SchemeName));
        }
        catch (OrleansLogException e) when (e.Code == ErrorCode.SaslAuthenticationFailed)
        {
            return AuthenticateResult.Fail(e.Message);
        }
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Basic realm=\"OrleansLog\", Bearer";
        var reason = (await HandleAuthenticateOnceSafeAsync()).Failure?.Message;
        await KafkaProblems.Problem(ErrorCode.SaslAuthenticationFailed, reason ?? "This endpoint needs credentials: HTTP Basic with a user of the cluster, or a bearer token.", StatusCodes.Status401Unauthorized)
            .ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        KafkaProblems.Problem(ErrorCode.ClusterAuthorizationFailed, $"{Context.User.Identity?.Name} may not do this.", StatusCodes.Status403Forbidden).ExecuteAsync(Context);

    /// <summary>The claims of a signed-in caller: its principal as the name, and the session its grain calls carry.</summary>
    public static ClaimsPrincipal Principal(OrleansLog.Security.SessionGrant grant, string scheme) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, grant.Principal), new Claim(SessionClaim, grant.Token)], scheme));

    private static (string User, string Password)? Basic(string parameter)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(parameter));
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            return colon > 0 ? (text[..colon], text[(colon + 1)..]) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
