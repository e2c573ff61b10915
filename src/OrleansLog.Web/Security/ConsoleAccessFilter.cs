using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace OrleansLog.Web.Security;

/// <summary>
/// A console page whose grain calls the cluster refused: not allowed by the ACLs is a 403 page that says what was
/// refused; a session that ended sends the user to sign in again.
/// </summary>
public sealed class ConsoleAccessFilter : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var executed = await next();
        if (executed.Exception is not OrleansLogException refused)
        {
            return;
        }

        if (refused.Code == ErrorCode.SaslAuthenticationFailed)
        {
            executed.ExceptionHandled = true;
            await context.HttpContext.SignOutAsync(WebSecurityExtensions.CookieScheme);
            executed.Result = new RedirectResult($"/signin?ReturnUrl={Uri.EscapeDataString(context.HttpContext.Request.Path + context.HttpContext.Request.QueryString)}");
        }
        else if (Api.KafkaProblems.StatusFor(refused.Code) == StatusCodes.Status403Forbidden)
        {
            executed.ExceptionHandled = true;
            executed.Result = new ContentResult
            {
                StatusCode = StatusCodes.Status403Forbidden,
                ContentType = "text/html; charset=utf-8",
                Content = $"<!DOCTYPE html><title>Not allowed - OrleansLog</title><h1>Not allowed</h1><p id=\"refusal\">{System.Net.WebUtility.HtmlEncode(refused.Message)}</p><p><a href=\"/\">Overview</a></p>",
            };
        }
    }
}
