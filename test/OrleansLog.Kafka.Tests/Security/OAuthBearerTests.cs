using System.Globalization;
using Confluent.Kafka;
using OrleansLog.Testing;

namespace OrleansLog.Kafka.Tests.Security;

/// <summary>
/// SASL/OAUTHBEARER with JWTs from an issuer whose keys the broker reads from a JWK set: Confluent.Kafka with a token
/// for alice is served as User:alice; an expired token or one signed by another key is SASL_AUTHENTICATION_FAILED.
/// </summary>
public sealed class OAuthBearerTests : IAsyncLifetime
{
    private readonly int _saslPort = FreePort.Next();
    private readonly TempDirectory _files = new();
    private TestTokenIssuer _issuer = null!;
    private SecuredBroker _secured = null!;

    private string Bootstrap => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{_saslPort}");

    public async Task InitializeAsync()
    {
        _issuer = new TestTokenIssuer(_files.Sub("issuer"));
        _secured = await SecuredBroker.StartAsync(
        [
            "--listeners", $"SASL_PLAINTEXT://{Bootstrap}",
            "--OrleansLog:Kafka:Sasl:Mechanisms:0=OAUTHBEARER",
            "--OrleansLog:Kafka:Sasl:Mechanisms:1=SCRAM-SHA-256",
            $"--OrleansLog:OAuth:Issuer={TestTokenIssuer.DefaultIssuer}",
            $"--OrleansLog:OAuth:Audience={TestTokenIssuer.DefaultAudience}",
            $"--OrleansLog:OAuth:JwksUrl={_issuer.JwksUrl}",
            "--super-users", "User:alice",
        ]);
        await _secured.Admin.CreateTopicAsync("tokens", 1);
    }

    public async Task DisposeAsync()
    {
        await _secured.DisposeAsync();
        _issuer.Dispose();
        _files.Dispose();
    }

    [Fact]
    public async Task A_client_with_a_valid_token_is_served_as_its_subject()
    {
        var delivered = await ProduceWith(_issuer.Issue("alice"));
        Assert.Equal(PersistenceStatus.Persisted, delivered.Status);
        Assert.Contains("authenticated as User:alice (OAUTHBEARER)", _secured.Process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_token_or_one_from_another_issuer_is_refused()
    {
        using var stranger = new TestTokenIssuer(_files.Sub("stranger"));
        foreach (var token in new[] { _issuer.Issue("alice", DateTimeOffset.UtcNow.AddHours(-2), DateTimeOffset.UtcNow.AddHours(-1)), stranger.Issue("alice") })
        {
            var errors = new System.Collections.Concurrent.ConcurrentQueue<Error>();
            using var producer = Producer(token, errors);
            producer.Produce(new TopicPartition("tokens", 0), new Message<Null, string> { Value = "never" });
            await Wait.Until(() => errors.Any(e => e.Code == Confluent.Kafka.ErrorCode.Local_Authentication), "the token is refused");
        }

        Assert.Contains("failed SASL authentication (OAUTHBEARER)", _secured.Process.Output, StringComparison.Ordinal);
    }

    private async Task<DeliveryResult<Null, string>> ProduceWith(string token)
    {
        using var producer = Producer(token, null);
        return await producer.ProduceAsync(new TopicPartition("tokens", 0), new Message<Null, string> { Value = "with-a-token" });
    }

    private IProducer<Null, string> Producer(string token, System.Collections.Concurrent.ConcurrentQueue<Error>? errors) =>
        new ProducerBuilder<Null, string>(new ProducerConfig
        {
            BootstrapServers = Bootstrap,
            SecurityProtocol = SecurityProtocol.SaslPlaintext,
            SaslMechanism = SaslMechanism.OAuthBearer,
            MessageTimeoutMs = 10_000,
        })
        .SetOAuthBearerTokenRefreshHandler((client, _) => client.OAuthBearerSetToken(token, DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds(), "alice"))
        .SetErrorHandler((_, error) => errors?.Enqueue(error))
        .Build();
}
