using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using OrleansLog.Hosting;

namespace OrleansLog.Server.Security.Tls;

/// <summary>
/// Refuses <see cref="TlsOptions"/> a TLS listener could not serve with: missing or unreadable files, a key that is not
/// the certificate's, a CA file with no certificate, rules that do not parse. Only used when some listener serves TLS.
/// </summary>
public sealed class TlsOptionsValidator : IValidateOptions<TlsOptions>
{
    /// <summary>
    /// The <c>OrleansLog:Tls</c> settings, checked at once (for the Kafka listener, the cluster's connections and HTTPS,
    /// which need them while the host is being built); <see cref="OptionsValidationException"/> when they do not hold.
    /// </summary>
    public static TlsOptions ReadChecked(IConfiguration configuration)
    {
        var settings = configuration.GetSection(TlsOptions.SectionName).Get<TlsOptions>() ?? new TlsOptions();
        return new TlsOptionsValidator().Validate(null, settings) is { Failed: true } invalid
            ? throw new OptionsValidationException(TlsOptions.SectionName, typeof(TlsOptions), invalid.Failures)
            : settings;
    }

    public ValidateOptionsResult Validate(string? name, TlsOptions options)
    {
        var checks = new OptionsChecks(TlsOptions.SectionName)
            .NotEmpty(nameof(options.CertificatePath), options.CertificatePath)
            .NotEmpty(nameof(options.KeyPath), options.KeyPath)
            .Positive(nameof(options.ReloadInterval), options.ReloadInterval)
            .Positive(nameof(options.HandshakeTimeout), options.HandshakeTimeout)
            .That(SslPrincipalMapper.TryParse(options.PrincipalMappingRules, out var rulesError) is not null, nameof(options.PrincipalMappingRules), rulesError ?? "", options.PrincipalMappingRules);
        if (!string.IsNullOrWhiteSpace(options.CertificatePath) && !string.IsNullOrWhiteSpace(options.KeyPath))
        {
            var loaded = TlsMaterial.TryLoad(options, out var error);
            checks.That(loaded is not null, nameof(options.CertificatePath), error ?? "", options.CertificatePath);
        }

        return checks.Result();
    }
}
