using System.Collections.Immutable;
using OrleansLog.Security;
using OrleansLog.Server.Security.Quotas;

namespace OrleansLog.Server.Tests.Security;

/// <summary>Client quotas: Kafka's order of precedence, the rate and throttle arithmetic, the alteration rules, the describe filter and the options.</summary>
public sealed class ClientQuotaRulesTests
{
    private const string D = ClientQuotaEntity.Default;

    [Theory]
    [InlineData("alice", "app", 1.0, "alice", "app")]
    [InlineData("alice", "other", 2.0, "alice", "other")]
    [InlineData("bob", "app", 4.0, "bob", "app")]
    [InlineData("bob", "other", 5.0, "bob", "other")]
    public void The_first_entity_in_kafkas_order_gives_the_quota_and_names_whose_rate_it_is(string user, string clientId, double expected, string meteredUser, string meteredClient)
    {
        var quotas = new ClientQuotas(
        [
            Entry("alice", "app", 1),
            Entry("alice", D, 2),
            Entry("alice", null, 3),
            Entry(D, "app", 4),
            Entry(D, D, 5),
            Entry(D, null, 6),
            Entry(null, "app", 7),
            Entry(null, D, 8),
        ]);

        var (quota, metered) = quotas.Find(user, clientId, ClientQuotaKeys.ProducerByteRate)!.Value;
        Assert.Equal(expected, quota);
        Assert.Equal(new ClientQuotaEntity(meteredUser, meteredClient), metered);
    }

    [Fact]
    public void A_quota_on_a_user_alone_is_shared_by_its_client_ids_and_a_key_not_set_falls_through()
    {
        var quotas = new ClientQuotas([Entry("alice", null, 3), Entry(null, D, 8, ClientQuotaKeys.ConsumerByteRate)]);
        Assert.Equal(new ClientQuotaEntity("alice", null), quotas.Find("alice", "x", ClientQuotaKeys.ProducerByteRate)!.Value.Metered);
        Assert.Equal((8.0, new ClientQuotaEntity(null, "x")), quotas.Find("alice", "x", ClientQuotaKeys.ConsumerByteRate));
        Assert.Null(quotas.Find("bob", "x", ClientQuotaKeys.ProducerByteRate));
        Assert.Null(ClientQuotas.None.Find("alice", "x", ClientQuotaKeys.ProducerByteRate));
    }

    [Fact]
    public void A_rate_within_its_quota_is_not_throttled_and_one_over_it_waits_for_the_excess_to_drain()
    {
        var sensor = new RateSensor(windows: 11, windowMs: 1000);

        // 10 full windows at least are counted: 5,000 bytes in the first second is 500 B/s.
        Assert.Equal(0, sensor.RecordAndThrottle(5_000, nowMs: 1_000, quota: 1_000));

        // 20,000 bytes over at least 10 s is 2,000 B/s, twice the quota: the client waits as long again, 10 s.
        Assert.Equal(10_000, sensor.RecordAndThrottle(15_000, nowMs: 1_500, quota: 1_000));
    }

    [Fact]
    public void Windows_older_than_the_span_no_longer_count_and_the_throttle_is_bounded_by_the_span()
    {
        var sensor = new RateSensor(windows: 2, windowMs: 1000);
        Assert.Equal(2_000, sensor.RecordAndThrottle(1_000_000, nowMs: 10_000, quota: 10));
        Assert.Equal(0, sensor.RecordAndThrottle(1, nowMs: 13_000, quota: 10));
    }

    [Theory]
    [InlineData(null, null, ClientQuotaKeys.ProducerByteRate, 1.0, "needs a user, a client id")]
    [InlineData("", null, ClientQuotaKeys.ProducerByteRate, 1.0, "1-1024 characters")]
    [InlineData("a\nb", null, ClientQuotaKeys.ProducerByteRate, 1.0, "control characters")]
    [InlineData("alice", null, "bogus", 1.0, "unknown quota key")]
    [InlineData("alice", null, ClientQuotaKeys.ConsumerByteRate, 0.0, "positive")]
    [InlineData("alice", null, ClientQuotaKeys.RequestPercentage, double.NaN, "positive")]
    [InlineData(null, "app", ClientQuotaKeys.RequestPercentage, double.PositiveInfinity, "positive")]
    public void Alterations_kafka_would_refuse_are_refused(string? user, string? clientId, string key, double value, string reason)
    {
        var refusal = ClientQuotaStoreGrain.Refusal(new ClientQuotaAlteration(new ClientQuotaEntity(user, clientId), [new ClientQuotaOperation(key, value, false)]));
        Assert.Contains(reason, refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void An_alteration_without_operations_or_with_a_key_twice_is_refused_and_a_removal_needs_no_value()
    {
        var alice = new ClientQuotaEntity("alice", null);
        Assert.NotNull(ClientQuotaStoreGrain.Refusal(new ClientQuotaAlteration(alice, [])));
        Assert.NotNull(ClientQuotaStoreGrain.Refusal(new ClientQuotaAlteration(alice, [new(ClientQuotaKeys.ProducerByteRate, 1, false), new(ClientQuotaKeys.ProducerByteRate, 2, false)])));
        Assert.Null(ClientQuotaStoreGrain.Refusal(new ClientQuotaAlteration(alice, [new(ClientQuotaKeys.ProducerByteRate, 0, true)])));
    }

    [Fact]
    public void The_describe_filter_matches_exact_default_and_any_names_and_strict_excludes_other_parts()
    {
        var userAndClient = new ClientQuotaEntity("alice", "app");
        var defaultUser = new ClientQuotaEntity(D, null);
        var exactAlice = new ClientQuotaFilter([new(ClientQuotaEntity.UserType, ClientQuotaMatch.Exact, "alice")], Strict: false);
        Assert.True(exactAlice.Matches(userAndClient));
        Assert.False((exactAlice with { Strict = true }).Matches(userAndClient));
        Assert.True(new ClientQuotaFilter([new(ClientQuotaEntity.UserType, ClientQuotaMatch.Default, null)], Strict: true).Matches(defaultUser));
        Assert.False(new ClientQuotaFilter([new(ClientQuotaEntity.UserType, ClientQuotaMatch.Exact, D)], Strict: false).Matches(defaultUser));
        Assert.True(new ClientQuotaFilter([new(ClientQuotaEntity.ClientIdType, ClientQuotaMatch.Any, null)], Strict: false).Matches(userAndClient));
        Assert.False(new ClientQuotaFilter([new(ClientQuotaEntity.ClientIdType, ClientQuotaMatch.Any, null)], Strict: false).Matches(defaultUser));

        Assert.NotNull(new ClientQuotaFilter([new("ip", ClientQuotaMatch.Any, null)], false).Refusal());
        Assert.NotNull(new ClientQuotaFilter([new(ClientQuotaEntity.UserType, ClientQuotaMatch.Exact, null)], false).Refusal());
        Assert.NotNull(new ClientQuotaFilter([new(ClientQuotaEntity.UserType, ClientQuotaMatch.Any, null), new(ClientQuotaEntity.UserType, ClientQuotaMatch.Default, null)], false).Refusal());
    }

    [Theory]
    [InlineData("WindowCount")]
    [InlineData("WindowSize")]
    [InlineData("RefreshInterval")]
    [InlineData("MaxMeteredClients")]
    [InlineData("IdleExpiry")]
    public void Quota_settings_are_refused_by_name(string setting)
    {
        var options = new QuotaOptions();
        Assert.True(new QuotaOptionsValidator().Validate(null, options).Succeeded);
        switch (setting)
        {
            case "WindowCount": options.WindowCount = 0; break;
            case "WindowSize": options.WindowSize = TimeSpan.FromMilliseconds(1); break;
            case "RefreshInterval": options.RefreshInterval = TimeSpan.Zero; break;
            case "MaxMeteredClients": options.MaxMeteredClients = 0; break;
            default: options.IdleExpiry = TimeSpan.FromSeconds(1); break;
        }

        var failure = Assert.Single(new QuotaOptionsValidator().Validate(null, options).Failures!);
        Assert.StartsWith($"OrleansLog:Quotas:{setting} ", failure, StringComparison.Ordinal);
    }

    private static ClientQuotaEntry Entry(string? user, string? clientId, double value, string key = ClientQuotaKeys.ProducerByteRate) =>
        new(new ClientQuotaEntity(user, clientId), ImmutableDictionary<string, double>.Empty.Add(key, value));
}
