using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OrleansLog.Web.Security;

namespace OrleansLog.Web.Pages;

/// <summary>
/// The console's sign-in form: a user of the cluster and its password, checked by the cluster, whose session goes into
/// an encrypted, HTTP-only, same-site cookie that ends with the session. Antiforgery is on, as on every console form.
/// </summary>
[AllowAnonymous]
public sealed class SignInModel(SessionSignIn signIn) : PageModel
{
    [BindProperty(Name = "User")]
    public new string? User { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (string.IsNullOrEmpty(User) || string.IsNullOrEmpty(Password))
        {
            ModelState.AddModelError(string.Empty, "Enter a user and its password.");
            return Page();
        }

        OrleansLog.Security.SessionGrant grant;
        try
        {
            grant = await signIn.Form(User, Password);
        }
        catch (OrleansLogException e) when (e.Code == ErrorCode.SaslAuthenticationFailed)
        {
            ModelState.AddModelError(string.Empty, "The user or the password is wrong.");
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }

        await HttpContext.SignInAsync(
            WebSecurityExtensions.CookieScheme,
            CredentialsAuthenticationHandler.Principal(grant, WebSecurityExtensions.CookieScheme),
            new AuthenticationProperties { ExpiresUtc = grant.ExpiresAt, IsPersistent = false });

        // Only a path of this site: a sign-in must not send the user elsewhere.
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
    }

    public async Task<IActionResult> OnPostSignOutAsync()
    {
        await HttpContext.SignOutAsync(WebSecurityExtensions.CookieScheme);
        return LocalRedirect("/signin");
    }
}
