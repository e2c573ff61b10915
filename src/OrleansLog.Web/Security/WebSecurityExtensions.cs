using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansLog.Security;

namespace OrleansLog.Web.Security;

/// <summary>
/// Authentication and authorization of the HTTP port. Callers sign in to the cluster (Basic, bearer, or the console's
/// sign-in form and its cookie), and their grain calls carry the session, so the cluster's ACLs decide what each may see
/// and do, as for Kafka and native clients: a refused call is 403 problem+json (a console page says so). API paths
/// answer an anonymous request 401 problem+json; console pages send it to the sign-in page.
/// </summary>
public static class WebSecurityExtensions
{
    /// <summary>The scheme that picks Basic/bearer or the console's cookie for each request.</summary>
    public const string Scheme = "OrleansLog";

    public const string CookieScheme = "OrleansLogConsole";

    /// <summary>Paths of the API, the schema registry, Kafka Connect's API, the OpenAPI document, the metrics and the probes: answered 401, never redirected.</summary>
    private static readonly string[] ApiPrefixes = ["/v3", "/subjects", "/schemas", "/config", "/compatibility", "/mode", "/connectors", "/connector-plugins", "/openapi", "/metrics", "/health"];

    public static IServiceCollection AddOrleansLogWebSecurity(this IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<WebSecurityOptions>, WebSecurityOptionsValidator>();
        services.AddOptions<WebSecurityOptions>().BindConfiguration(WebSecurityOptions.SectionName).ValidateOnStart();
        services.AddSingleton<SessionSignIn>();
        services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, Scheme, policy => policy.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.Count > 0 || IsApiPath(context.Request.Path) ? CredentialsAuthenticationHandler.SchemeName : CookieScheme)
            .AddScheme<AuthenticationSchemeOptions, CredentialsAuthenticationHandler>(CredentialsAuthenticationHandler.SchemeName, null)
            .AddCookie(CookieScheme, cookie =>
            {
                cookie.LoginPath = "/signin";
                cookie.AccessDeniedPath = "/signin";
                cookie.Cookie.Name = "orleanslog.session";
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Strict;
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;

                // The cookie lives as long as the cluster session inside it (set at sign-in), never longer.
                cookie.SlidingExpiration = false;
            });

        // With authentication required, every endpoint needs a signed-in caller unless it says otherwise (the sign-in
        // page), or is a probe left open.
        services.AddAuthorization();
        services.AddOptions<AuthorizationOptions>().Configure<IOptions<WebSecurityOptions>>((authorization, web) =>
        {
            if (web.Value.RequireAuthentication == true)
            {
                authorization.FallbackPolicy = new AuthorizationPolicyBuilder(Scheme)
                    .RequireAssertion(context => context.User.Identity?.IsAuthenticated == true
                        || (context.Resource is HttpContext http && IsOpen(web.Value, http.Request.Path)))
                    .Build();
            }
        });
        return services;
    }

    /// <summary>Authenticates each request and hands the caller's cluster session to the grain calls made for it. Call before mapping endpoints.</summary>
    public static IApplicationBuilder UseOrleansLogWebSecurity(this IApplicationBuilder app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.Use(static async (context, next) =>
        {
            if (context.User.FindFirst(CredentialsAuthenticationHandler.SessionClaim)?.Value is { } token)
            {
                SessionContext.Token = token;
            }

            await next(context);
        });
        return app;
    }

    public static bool IsApiPath(PathString path) => ApiPrefixes.Any(prefix => path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase));

    private static bool IsOpen(WebSecurityOptions options, PathString path) =>
        (options.OpenMetrics && path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase))
        || (options.OpenHealth && path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase));
}
