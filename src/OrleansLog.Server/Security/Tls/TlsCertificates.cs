using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrleansLog.Server.Security.Tls;

/// <summary>
/// The broker's current <see cref="TlsMaterial"/>, reloaded when its files change (a renewed certificate applies to
/// new connections without a restart). The files are looked at, at most once per <see cref="TlsOptions.ReloadInterval"/>,
/// when a handshake asks for the material; a renewal that cannot be loaded (a half-written file, a key that does not
/// match yet) is logged and the previous material kept, and tried again at the next look.
/// <para>Concurrency: thread-safe; handshakes read the current material without locking, one of them at a time looks at the files.</para>
/// </summary>
public sealed partial class TlsCertificates
{
    private readonly TlsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<TlsCertificates> _logger;
    private readonly Lock _looking = new();
    private volatile TlsMaterial _current;
    private (DateTime, DateTime, DateTime) _stamps;
    private long _lastLook;

    public TlsCertificates(IOptions<TlsOptions> options, TimeProvider time, ILogger<TlsCertificates> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _current = TlsMaterial.TryLoad(_options, out var error) ?? throw new InvalidOperationException($"{TlsOptions.SectionName}:CertificatePath {_options.CertificatePath} {error}.");
        _stamps = Stamps();
        _lastLook = time.GetTimestamp();
        Mapper = SslPrincipalMapper.TryParse(_options.PrincipalMappingRules, out var rulesError) ?? throw new InvalidOperationException($"{TlsOptions.SectionName}:PrincipalMappingRules {rulesError}.");
    }

    public TlsOptions Options => _options;

    /// <summary>Turns client certificate subjects into principals.</summary>
    public SslPrincipalMapper Mapper { get; }

    /// <summary>The material to use for a handshake now.</summary>
    public TlsMaterial Current
    {
        get
        {
            if (_time.GetElapsedTime(Interlocked.Read(ref _lastLook)) >= _options.ReloadInterval && _looking.TryEnter())
            {
                try
                {
                    LookForRenewal();
                }
                finally
                {
                    _looking.Exit();
                }
            }

            return _current;
        }
    }

    private void LookForRenewal()
    {
        Interlocked.Exchange(ref _lastLook, _time.GetTimestamp());
        var stamps = Stamps();
        if (stamps == _stamps)
        {
            return;
        }

        if (TlsMaterial.TryLoad(_options, out var error) is { } renewed)
        {
            _current = renewed;
            _stamps = stamps;
            LogReloaded(renewed.Certificate.Subject, renewed.Certificate.NotAfter);
        }
        else
        {
            LogReloadFailed(_options.CertificatePath, error);
        }
    }

    private (DateTime, DateTime, DateTime) Stamps() =>
        (Stamp(_options.CertificatePath), Stamp(_options.KeyPath), Stamp(_options.CaPath));

    private static DateTime Stamp(string? path) =>
        path is { Length: > 0 } && File.Exists(path) ? File.GetLastWriteTimeUtc(path) : DateTime.MinValue;

    [LoggerMessage(Level = LogLevel.Information, Message = "TLS certificate reloaded: {Subject}, valid until {NotAfter:u}.")]
    private partial void LogReloaded(string subject, DateTime notAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "TLS files changed but cannot be loaded yet, the previous certificate stays in use: {Path} {Error}.")]
    private partial void LogReloadFailed(string? path, string? error);
}
