using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using OrleansLog.Kafka.Connections;
using OrleansLog.Server.Security.Tls;

namespace OrleansLog.Kafka.Security;

/// <summary>
/// TLS on one connection of an SSL or SASL_SSL listener: the platform's <see cref="SslStream"/> over the socket's pipes,
/// and pipes over the decrypted stream for the Kafka protocol to read and write. The broker's certificate is whatever
/// <see cref="TlsCertificates"/> holds when the client connects; a client certificate, asked for by
/// <see cref="TlsOptions.ClientAuth"/>, must chain to <see cref="TlsOptions.CaPath"/>, and its subject, mapped by
/// <see cref="TlsOptions.PrincipalMappingRules"/>, names the client.
/// <para>Concurrency: one per connection; the connection's read loop reads and its write loop writes.</para>
/// </summary>
internal sealed class TlsSession : IDuplexPipe, IAsyncDisposable
{
    /// <summary>Decrypted reads of up to this much at a time (SslStream gives what it has decrypted, several records when it can).</summary>
    private const int ReadBufferSize = 64 * 1024;

    /// <summary>Responses are encrypted in pieces of at least a TLS record's size.</summary>
    private const int WriteBufferSize = 16 * 1024;

    private readonly SslStream _stream;

    private TlsSession(SslStream stream, string? principal)
    {
        _stream = stream;
        CertificatePrincipal = principal;
        Input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: ReadBufferSize, leaveOpen: true));
        Output = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: WriteBufferSize, leaveOpen: true));
    }

    public PipeReader Input { get; }

    public PipeWriter Output { get; }

    /// <summary>"User:" and the mapped subject of the client's certificate; null when it presented none.</summary>
    public string? CertificatePrincipal { get; }

    /// <summary>Runs the server side of the handshake, within <see cref="TlsOptions.HandshakeTimeout"/>; throws <see cref="AuthenticationException"/> with the reason when it fails.</summary>
    public static async Task<TlsSession> AcceptAsync(ConnectionContext connection, TlsCertificates certificates, TimeProvider time)
    {
        var material = certificates.Current;
        var clientAuth = certificates.Options.ClientAuth;
        var socket = new DuplexPipeStream(connection.Transport);
        var stream = new SslStream(socket, leaveInnerStreamOpen: false);
        try
        {
            using var timeout = new CancellationTokenSource(certificates.Options.HandshakeTimeout, time);
            using var either = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, connection.ConnectionClosed);
            var options = new SslServerAuthenticationOptions
            {
                ServerCertificateContext = material.Context,
                ClientCertificateRequired = clientAuth != TlsClientAuth.None,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
                    certificate is null
                        ? clientAuth != TlsClientAuth.Required
                        : material.Trusts(certificate as X509Certificate2 ?? new X509Certificate2(certificate), chain),
            };
            try
            {
                await stream.AuthenticateAsServerAsync(options, either.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                throw new AuthenticationException($"the TLS handshake did not finish within {certificates.Options.HandshakeTimeout.TotalMilliseconds} ms");
            }

            // From here the protocol's writes are flushed by the connection's write loop, a response's records together.
            socket.FlushEachWrite = false;
            var principal = stream.RemoteCertificate is { } presented
                ? certificates.Mapper.PrincipalFor(presented as X509Certificate2 ?? new X509Certificate2(presented))
                : null;
            return new TlsSession(stream, principal);
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Input.CompleteAsync();
        await Output.CompleteAsync();
        await _stream.DisposeAsync();
    }
}
