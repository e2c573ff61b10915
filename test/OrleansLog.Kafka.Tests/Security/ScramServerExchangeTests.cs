using System.Text;
using OrleansLog.Kafka.Security;
using OrleansLog.Security;

namespace OrleansLog.Kafka.Tests.Security;

public class ScramServerExchangeTests
{
    private const string ClientNonce = "rOprNGfwEbeRWgbNEkqO";
    private const string ServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";

    /// <summary>RFC 7677 section 3: user "user", password "pencil", its salt, nonces and the expected messages.</summary>
    [Fact]
    public void The_rfc_7677_example_authenticates_with_the_server_signature_it_gives()
    {
        var credential = ScramCredential.FromPassword(ScramMechanism.Sha256, "pencil", Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
        var exchange = new ScramServerExchange(ScramMechanism.Sha256, ServerNonce);

        var first = ScramServerExchange.ParseClientFirst("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"u8);
        Assert.Equal("user", first.User);
        var serverFirst = Encoding.UTF8.GetString(exchange.ServerFirst(first, credential));
        Assert.Equal("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", serverFirst);

        var serverFinal = exchange.ClientFinal("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="u8);
        Assert.Equal("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", Encoding.UTF8.GetString(serverFinal));
    }

    [Theory]
    [InlineData("SCRAM-SHA-256")]
    [InlineData("SCRAM-SHA-512")]
    public void A_client_with_the_password_is_let_in_and_one_without_it_is_not(string name)
    {
        var mechanism = ScramMechanism.Find(name)!;
        var credential = ScramCredential.Create(mechanism, "s3cret");

        Assert.NotNull(Authenticate(mechanism, credential, "alice", "s3cret"));
        var wrong = Assert.Throws<ScramException>(() => Authenticate(mechanism, credential, "alice", "guess"));
        Assert.Contains("wrong password", wrong.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_user_goes_through_the_whole_exchange_and_fails_at_the_proof()
    {
        var exchange = new ScramServerExchange(ScramMechanism.Sha256);
        var serverFirst = Encoding.UTF8.GetString(exchange.ServerFirst(ScramServerExchange.ParseClientFirst("n,,n=nobody,r=abc"u8), credential: null));
        Assert.StartsWith("r=abc", serverFirst, StringComparison.Ordinal);
        Assert.Contains(",i=4096", serverFirst, StringComparison.Ordinal);

        var error = Assert.Throws<ScramException>(() => Authenticate(ScramMechanism.Sha256, credential: null, "nobody", "anything"));
        Assert.Contains("no SCRAM-SHA-256 credential", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("p=tls-unique,,n=user,r=abc", "channel binding")]
    [InlineData("x,,n=user,r=abc", "gs2 header")]
    [InlineData("n,,r=abc", "n= and r=")]
    [InlineData("n,,n=user,r=", "n= and r=")]
    [InlineData("n,,m=ext,n=user,r=abc", "mandatory extension")]
    [InlineData("n,a=admin,n=user,r=abc", "authorization id")]
    [InlineData("n,,n=us=er,r=abc", "bad escape")]
    [InlineData("n,,n=user,n=other,r=abc", "repeats")]
    public void A_first_message_that_breaks_the_grammar_is_refused(string message, string reason)
    {
        var error = Assert.Throws<ScramException>(() => ScramServerExchange.ParseClientFirst(Encoding.UTF8.GetBytes(message)));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Escaped_user_names_are_read_as_rfc_5802_writes_them()
    {
        Assert.Equal("a,b=c", ScramServerExchange.ParseClientFirst("n,,n=a=2Cb=3Dc,r=abc"u8).User);
        Assert.Equal("a,b=c", ScramServerExchange.ParseClientFirst("n,a=a=2Cb=3Dc,n=a=2Cb=3Dc,r=abc"u8).User);
    }

    [Theory]
    [InlineData("c=biws,r=OTHER,p=", "nonce")]
    [InlineData("c=biws,r=NONCEx,p=", "nonce")]
    [InlineData("c=eSws,r=NONCE,p=", "gs2 header")]
    [InlineData("c=biws,r=NONCE", "no proof")]
    [InlineData("c=biws,r=NONCE,p=bm90IGEgaGFzaA==", "base64 hash")]
    public void A_final_message_that_does_not_follow_the_first_is_refused(string template, string reason)
    {
        var exchange = new ScramServerExchange(ScramMechanism.Sha256, "srv");
        exchange.ServerFirst(ScramServerExchange.ParseClientFirst("n,,n=user,r=cli"u8), ScramCredential.Create(ScramMechanism.Sha256, "pw"));
        var message = template.Replace("NONCE", "clisrv", StringComparison.Ordinal);
        var error = Assert.Throws<ScramException>(() => exchange.ClientFinal(Encoding.UTF8.GetBytes(message)));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    /// <summary>librdkafka sends its client nonce followed by the server's whole nonce (which begins with the client's); Kafka accepts it.</summary>
    [Fact]
    public void A_final_nonce_that_repeats_the_client_nonce_in_front_is_accepted_as_kafka_does()
    {
        var credential = ScramCredential.Create(ScramMechanism.Sha256, "pw");
        var exchange = new ScramServerExchange(ScramMechanism.Sha256, "srv");
        var serverFirst = Encoding.UTF8.GetString(exchange.ServerFirst(ScramServerExchange.ParseClientFirst("n,,n=user,r=cli"u8), credential));
        Assert.StartsWith("r=clisrv,", serverFirst, StringComparison.Ordinal);

        var salted = ScramMechanism.Sha256.SaltedPassword("pw", credential.Salt, credential.Iterations);
        var clientKey = ScramMechanism.Sha256.Hmac(salted, "Client Key"u8);
        const string withoutProof = "c=biws,r=cliclisrv";
        var signature = ScramMechanism.Sha256.Hmac(ScramMechanism.Sha256.Digest(clientKey), Encoding.UTF8.GetBytes($"n=user,r=cli,{serverFirst},{withoutProof}"));
        var proof = Convert.ToBase64String(clientKey.Zip(signature, (k, s) => (byte)(k ^ s)).ToArray());

        Assert.StartsWith("v=", Encoding.UTF8.GetString(exchange.ClientFinal(Encoding.UTF8.GetBytes($"{withoutProof},p={proof}"))), StringComparison.Ordinal);
    }

    [Fact]
    public void A_credential_checks_a_plain_password_without_holding_it()
    {
        var credential = ScramCredential.Create(ScramMechanism.Sha512, "hunter2");
        Assert.True(credential.Matches("hunter2"));
        Assert.False(credential.Matches("hunter3"));
        Assert.Throws<ArgumentOutOfRangeException>(() => ScramCredential.Create(ScramMechanism.Sha256, "pw", iterations: 1000));
    }

    /// <summary>The client's side of RFC 5802, written out here from the RFC's formulas; returns the server's final message.</summary>
    private static byte[] Authenticate(ScramMechanism mechanism, ScramCredential? credential, string user, string password)
    {
        var exchange = new ScramServerExchange(mechanism);
        var clientFirstBare = $"n={user},r=clientnonce";
        var serverFirst = Encoding.UTF8.GetString(exchange.ServerFirst(ScramServerExchange.ParseClientFirst(Encoding.UTF8.GetBytes("n,," + clientFirstBare)), credential));
        var fields = serverFirst.Split(',').ToDictionary(f => f[0], f => f[2..]);
        var salted = mechanism.SaltedPassword(password, Convert.FromBase64String(fields['s']), int.Parse(fields['i'], System.Globalization.CultureInfo.InvariantCulture));
        var clientKey = mechanism.Hmac(salted, "Client Key"u8);
        var withoutProof = $"c=biws,r={fields['r']}";
        var signature = mechanism.Hmac(mechanism.Digest(clientKey), Encoding.UTF8.GetBytes($"{clientFirstBare},{serverFirst},{withoutProof}"));
        var proof = clientKey.Zip(signature, (k, s) => (byte)(k ^ s)).ToArray();
        return exchange.ClientFinal(Encoding.UTF8.GetBytes($"{withoutProof},p={Convert.ToBase64String(proof)}"));
    }
}
