using Microsoft.Extensions.Options;
using OrleansLog.Hosting;

namespace OrleansLog.Server.Security;

/// <summary>Refuses <see cref="AuthorizationOptions"/> that could not be applied.</summary>
public sealed class AuthorizationOptionsValidator : IValidateOptions<AuthorizationOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthorizationOptions options) =>
        new OptionsChecks(AuthorizationOptions.SectionName)
            .Positive(nameof(options.RefreshInterval), options.RefreshInterval)
            .That(options.SuperUsers.All(u => u.IndexOf(':', StringComparison.Ordinal) > 0 && !u.EndsWith(':')), nameof(options.SuperUsers), "must be principals such as \"User:admin\"", string.Join(",", options.SuperUsers))
            .Result();
}
