using Microsoft.Extensions.Options;
using OrleansLog.Hosting;

namespace OrleansLog.Web.Security;

public sealed class WebSecurityOptionsValidator : IValidateOptions<WebSecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, WebSecurityOptions options) =>
        new OptionsChecks(WebSecurityOptions.SectionName)
            .Between(nameof(options.MaxCachedSessions), options.MaxCachedSessions, 1, 1_000_000)
            .Result();
}
