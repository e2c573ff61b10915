using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OrleansLog.Server.Security.Tls;

namespace OrleansLog.Silo.Hosting;

/// <summary>
/// HTTPS on the web port from the broker's <c>OrleansLog:Tls</c> PEM files, the ones the Kafka listener and the cluster
/// use: with a certificate configured, an https:// address in <c>--urls</c> serves it, and a renewed certificate is
/// served to new connections without a restart (the Kafka listener's watcher of the files, shared).
/// </summary>
public static class WebTransportSecurity
{
    public static WebApplicationBuilder UseOrleansLogHttps(this WebApplicationBuilder builder)
    {
        if (builder.Configuration[$"{TlsOptions.SectionName}:{nameof(TlsOptions.CertificatePath)}"] is not { Length: > 0 })
        {
            return builder;
        }

        var settings = TlsOptionsValidator.ReadChecked(builder.Configuration);

        builder.Services.TryAddSingleton(Options.Create(settings));
        builder.Services.TryAddSingleton<TlsCertificates>();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https =>
        {
            var certificates = kestrel.ApplicationServices.GetRequiredService<TlsCertificates>();
            https.ServerCertificateSelector = (_, _) => certificates.Current.Certificate;
            https.ClientCertificateMode = ClientCertificateMode.NoCertificate;
        }));
        return builder;
    }
}
