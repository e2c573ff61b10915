using Microsoft.Extensions.Options;
using OrleansLog.Hosting;

namespace OrleansLog.Server.Security.Sessions;

/// <summary>Refuses session lifetimes shorter than a sign-in is worth or longer than a leaked token should live.</summary>
public sealed class SessionOptionsValidator : IValidateOptions<SessionOptions>
{
    public ValidateOptionsResult Validate(string? name, SessionOptions options) =>
        new OptionsChecks(SessionOptions.SectionName)
            .That(options.Lifetime >= TimeSpan.FromMinutes(1) && options.Lifetime <= TimeSpan.FromDays(7), nameof(options.Lifetime), "must be between one minute and seven days", options.Lifetime)
            .That(options.FailedSignInDelay >= TimeSpan.Zero && options.FailedSignInDelay <= TimeSpan.FromSeconds(10), nameof(options.FailedSignInDelay), "must be between 0 and 10 s", options.FailedSignInDelay)
            .Result();
}
