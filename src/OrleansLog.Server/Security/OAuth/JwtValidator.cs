using System.Security.Claims;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace OrleansLog.Server.Security.OAuth;

/// <summary>
/// Checks bearer tokens (JWTs) as Kafka's OAUTHBEARER validator does: signed by a key of the issuer's JWK set (no
/// unsigned tokens), the expected issuer and audience, within <c>exp</c> and <c>nbf</c> (with <see cref="OAuthOptions.ClockSkew"/>),
/// and a subject claim that names the principal. The key set is read from <see cref="OAuthOptions.JwksUrl"/> at first
/// use, again every <see cref="OAuthOptions.JwksRefreshInterval"/>, and when a token names a key it does not hold.
/// <para>Concurrency: thread-safe; the key set is swapped whole, one reader at a time fetches it.</para>
/// </summary>
public sealed partial class JwtValidator(IOptions<OAuthOptions> options, TimeProvider time, ILogger<JwtValidator> logger) : IDisposable
{
    private readonly JsonWebTokenHandler _handler = new();
    private readonly SemaphoreSlim _fetching = new(1, 1);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private IReadOnlyList<SecurityKey>? _keys;
    private long _fetchedAt;

    /// <summary>A valid token's principal ("User:" and the subject claim) and when it expires; <see cref="SecurityTokenException"/> with the reason otherwise.</summary>
    public async Task<(string Principal, DateTimeOffset Expires)> ValidateAsync(string token)
    {
        var settings = options.Value;
        var keys = await KeysAsync(force: false);
        var result = await _handler.ValidateTokenAsync(token, Parameters(settings, keys));
        if (result.Exception is SecurityTokenSignatureKeyNotFoundException && time.GetElapsedTime(Interlocked.Read(ref _fetchedAt)) > settings.ClockSkew)
        {
            // Signed by a key the set did not hold when read: the issuer may have rotated its keys.
            result = await _handler.ValidateTokenAsync(token, Parameters(settings, await KeysAsync(force: true)));
        }

        if (!result.IsValid)
        {
            throw new SecurityTokenException(result.Exception?.Message ?? "the token is not valid");
        }

        var subject = result.ClaimsIdentity.FindFirst(settings.SubClaimName)?.Value;
        if (string.IsNullOrEmpty(subject))
        {
            throw new SecurityTokenException($"the token has no \"{settings.SubClaimName}\" claim");
        }

        return ("User:" + subject, new DateTimeOffset(result.SecurityToken.ValidTo, TimeSpan.Zero));
    }

    public void Dispose()
    {
        _fetching.Dispose();
        _http.Dispose();
    }

    private TokenValidationParameters Parameters(OAuthOptions settings, IReadOnlyList<SecurityKey> keys) => new()
    {
        ValidIssuer = settings.Issuer,
        ValidateAudience = settings.Audience is not null,
        ValidAudience = settings.Audience,
        IssuerSigningKeys = keys,
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ValidateLifetime = true,
        ClockSkew = settings.ClockSkew,
        NameClaimType = settings.SubClaimName,

        // Lifetimes against the broker's clock (the injected TimeProvider), not the library's.
        LifetimeValidator = (notBefore, expires, _, _) =>
        {
            var now = time.GetUtcNow().UtcDateTime;
            return expires is { } end && now <= end + settings.ClockSkew && (notBefore is not { } start || now >= start - settings.ClockSkew);
        },
    };

    private async Task<IReadOnlyList<SecurityKey>> KeysAsync(bool force)
    {
        if (!force && Volatile.Read(ref _keys) is { } current && time.GetElapsedTime(Interlocked.Read(ref _fetchedAt)) < options.Value.JwksRefreshInterval)
        {
            return current;
        }

        await _fetching.WaitAsync();
        try
        {
            var url = new Uri(options.Value.JwksUrl!);
            var json = url.IsFile ? await File.ReadAllTextAsync(url.LocalPath) : await _http.GetStringAsync(url);
            var keys = new JsonWebKeySet(json).GetSigningKeys();
            Volatile.Write(ref _keys, [.. keys]);
            Interlocked.Exchange(ref _fetchedAt, time.GetTimestamp());
            LogKeysRead(keys.Count, options.Value.JwksUrl!);
            return [.. keys];
        }
        catch (Exception e) when (e is IOException or HttpRequestException or ArgumentException or TaskCanceledException or System.Text.Json.JsonException)
        {
            LogKeysFailed(options.Value.JwksUrl!, e.Message);
            return Volatile.Read(ref _keys) ?? throw new SecurityTokenException($"the issuer's keys could not be read from {options.Value.JwksUrl}: {e.Message}");
        }
        finally
        {
            _fetching.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Read {Count} signing key(s) from {Url}.")]
    private partial void LogKeysRead(int count, string url);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the signing keys from {Url} ({Message}); the last ones read stay in use.")]
    private partial void LogKeysFailed(string url, string message);
}
