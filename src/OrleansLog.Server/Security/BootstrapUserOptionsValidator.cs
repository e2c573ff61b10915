using Microsoft.Extensions.Options;
using OrleansLog.Hosting;

namespace OrleansLog.Server.Security;

/// <summary>A bootstrap user needs a password of at least eight characters (it is a super user).</summary>
public sealed class BootstrapUserOptionsValidator : IValidateOptions<BootstrapUserOptions>
{
    public ValidateOptionsResult Validate(string? name, BootstrapUserOptions options) =>
        options.User is null
            ? ValidateOptionsResult.Success
            : new OptionsChecks(BootstrapUserOptions.SectionName)
                .NotEmpty(nameof(options.User), options.User)
                .That(options.Password is { Length: >= 8 }, nameof(options.Password), "must be set, with at least 8 characters, when User is", "(hidden)")
                .Result();
}
