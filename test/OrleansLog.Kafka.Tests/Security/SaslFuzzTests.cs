using System.Globalization;
using System.Text;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Testing;
using Xunit.Abstractions;

namespace OrleansLog.Kafka.Tests.Security;

/// <summary>
/// Malformed SASL handshakes and authentication messages, and bytes that are not TLS on a TLS listener, generated from a
/// seed: each closes its own connection (after an answer or without one), and the broker goes on serving a real client.
/// </summary>
public sealed class SaslFuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Seed = 20261206;
    private const int Cases = 120;

    private readonly int _saslPort = FreePort.Next();
    private readonly int _tlsPort = FreePort.Next();
    private readonly TempDirectory _files = new();
    private TestCertificates _ca = null!;
    private SecuredBroker _secured = null!;

    public async Task InitializeAsync()
    {
        _ca = new TestCertificates(_files.Sub("pki"));
        var (certificate, key) = _ca.IssueServer();
        _secured = await SecuredBroker.StartAsync(
        [
            "--listeners", string.Create(CultureInfo.InvariantCulture, $"SASL_PLAINTEXT://127.0.0.1:{_saslPort},SASL_SSL://127.0.0.1:{_tlsPort}"),
            $"--OrleansLog:Tls:CertificatePath={certificate}",
            $"--OrleansLog:Tls:KeyPath={key}",
            "--OrleansLog:Tls:HandshakeTimeout=00:00:02",
            "--OrleansLog:Kafka:Sasl:FailedAuthenticationDelay=00:00:00.010",

            // A frame whose size prefix promises more than is sent is closed once this passes.
            "--OrleansLog:Kafka:FrameReadTimeout=00:00:02",
            "--super-users", "User:alice",
        ]);
        await _secured.Admin.SetScramCredentialAsync("alice", "SCRAM-SHA-256", "alice-secret");
    }

    public async Task DisposeAsync()
    {
        await _secured.DisposeAsync();
        _ca.Dispose();
        _files.Dispose();
    }

    [Fact]
    public async Task Malformed_sasl_and_tls_input_closes_only_its_own_connection()
    {
        var random = new Random(Seed);
        output.WriteLine($"seed {Seed}, {Cases} cases");
        for (var i = 0; i < Cases; i++)
        {
            var (port, frames, what) = Case(random, i);
            using var connection = await RawKafkaConnection.OpenAsync(port);
            foreach (var frame in frames)
            {
                try
                {
                    await connection.SendAsync(frame);
                }
                catch (IOException)
                {
                    // Closed while sending: the broker already refused it.
                    break;
                }
            }

            Assert.True(await connection.IsClosedByBrokerAsync(TimeSpan.FromSeconds(15)), $"case {i} ({what}) left its connection open");
        }

        // The broker is up and serves a client that does everything right.
        var listed = await Kcat.RunAsync(string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{_saslPort}"), null, "-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanisms=SCRAM-SHA-256", "-X", "sasl.username=alice", "-X", "sasl.password=alice-secret", "-L");
        Assert.True(listed.ExitCode == 0, listed.Stderr);
        Assert.False(_secured.Process.HasExited);
    }

    /// <summary>One generated case: where it goes, the frames it sends, and what it is, for the failure message.</summary>
    private (int Port, List<byte[]> Frames, string What) Case(Random random, int index)
    {
        var kind = index % 6;
        switch (kind)
        {
            case 0:
                // A handshake whose body is random bytes.
                return (_saslPort, [RawKafkaConnection.Frame(ApiKey.SaslHandshake, (short)random.Next(0, 2), 1, w => w.WriteBytes(Bytes(random, 64), flexible: false))], "random handshake body");
            case 1:
                // A good handshake, then an authentication message of random bytes.
                return (_saslPort, [Handshake("SCRAM-SHA-256"), Authenticate(random, Bytes(random, 300))], "random SCRAM client-first");
            case 2:
                // A good client-first, then a random or mangled client-final.
                var first = $"n,,n=alice,r={Convert.ToBase64String(Bytes(random, 24, minimum: 1))}";
                var final = random.Next(2) == 0
                    ? Encoding.UTF8.GetString(Bytes(random, 200))
                    : $"c=biws,r={first[12..]}{Convert.ToBase64String(Bytes(random, 8))},p={Convert.ToBase64String(Bytes(random, 40))}";
                return (_saslPort, [Handshake("SCRAM-SHA-256"), Authenticate(random, Encoding.UTF8.GetBytes(first)), Authenticate(random, Encoding.UTF8.GetBytes(final))], "bad SCRAM client-final");
            case 3:
                // PLAIN with random fields, or SaslAuthenticate before any handshake.
                return random.Next(2) == 0
                    ? (_saslPort, [Handshake("PLAIN"), Authenticate(random, Bytes(random, 100))], "random PLAIN message")
                    : (_saslPort, [Authenticate(random, Bytes(random, 50))], "authenticate before handshake");
            case 4:
                // A frame cut short or with a size prefix that lies.
                var frame = Handshake("SCRAM-SHA-512");
                var cut = frame[..random.Next(4, frame.Length)];
                cut[0] = (byte)random.Next(0, 256);
                return (_saslPort, [cut, Bytes(random, 32, minimum: 1)], "mangled frame");
            default:
                // Not TLS on the TLS listener: random bytes, or a TLS record header over garbage.
                var bytes = Bytes(random, 600, minimum: 1);
                if (random.Next(2) == 0)
                {
                    bytes[0] = 0x16;
                    bytes[1] = 0x03;
                    bytes[2] = (byte)random.Next(0, 5);
                }

                return (_tlsPort, [bytes], "not TLS");
        }
    }

    private static byte[] Handshake(string mechanism) =>
        RawKafkaConnection.Frame(ApiKey.SaslHandshake, 1, 1, w => w.WriteString(mechanism, flexible: false));

    private static byte[] Authenticate(Random random, byte[] message)
    {
        var version = (short)random.Next(0, 2);
        return RawKafkaConnection.Frame(ApiKey.SaslAuthenticate, version, 2, w => w.WriteBytes(message, flexible: false));
    }

    private static byte[] Bytes(Random random, int maximum, int minimum = 0)
    {
        var bytes = new byte[random.Next(minimum, maximum + 1)];
        random.NextBytes(bytes);
        return bytes;
    }
}
