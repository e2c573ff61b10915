using OrleansLog.Security;
using OrleansLog.Testing;

namespace OrleansLog.Server.Tests.Security;

/// <summary>The cluster's users: what is stored (never a password), what is refused, and that a refusal changes nothing.</summary>
public class CredentialStoreGrainTests(BrokerClusterFixture fixture) : IClassFixture<BrokerClusterFixture>
{
    // From inside the cluster: the lookups the listeners make are internal to it.
    private ICredentialStoreGrain Store => fixture.Inside.GetGrain<ICredentialStoreGrain>(ICredentialStoreGrain.ClusterKey);

    [Fact]
    public async Task A_credential_is_stored_found_by_mechanism_described_without_keys_and_deleted()
    {
        var credential = ScramCredential.Create(ScramMechanism.Sha512, "pw").ToStored();
        await Store.Upsert("dave", credential);

        var found = await Store.Find("dave", "SCRAM-SHA-512");
        Assert.Equal(credential.StoredKey, found!.StoredKey);
        Assert.Null(await Store.Find("dave", "SCRAM-SHA-256"));
        Assert.Single(await Store.FindAll("dave"));
        Assert.Equal(new ScramCredentialInfo("dave", "SCRAM-SHA-512", ScramMechanism.MinIterations), Assert.Single(await Store.Describe(["dave"])));

        Assert.True(await Store.Delete("dave", "SCRAM-SHA-512"));
        Assert.False(await Store.Delete("dave", "SCRAM-SHA-512"));
        Assert.Empty(await Store.FindAll("dave"));
    }

    public static TheoryData<string, StoredScramCredential, ErrorCode> Refused => new()
    {
        { "", Valid(), ErrorCode.UnacceptableCredential },
        { new string('u', 257), Valid(), ErrorCode.UnacceptableCredential },
        { "with\nnewline", Valid(), ErrorCode.UnacceptableCredential },
        { "erin", Valid() with { Mechanism = "SCRAM-SHA-1" }, ErrorCode.UnsupportedSaslMechanism },
        { "erin", Valid() with { Iterations = 4095 }, ErrorCode.UnacceptableCredential },
        { "erin", Valid() with { Iterations = 16385 }, ErrorCode.UnacceptableCredential },
        { "erin", Valid() with { StoredKey = new byte[31] }, ErrorCode.UnacceptableCredential },
        { "erin", Valid() with { ServerKey = new byte[64] }, ErrorCode.UnacceptableCredential },
        { "erin", Valid() with { Salt = [] }, ErrorCode.UnacceptableCredential },
        { "erin", Valid() with { Salt = new byte[1025] }, ErrorCode.UnacceptableCredential },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_credential_that_breaks_a_rule_is_refused_and_nothing_is_stored(string user, StoredScramCredential credential, ErrorCode expected)
    {
        var error = await Assert.ThrowsAsync<OrleansLogException>(() => Store.Upsert(user, credential));
        Assert.Equal(expected, error.Code);
        Assert.Empty(await Store.Describe([user]));
    }

    private static StoredScramCredential Valid() => ScramCredential.Create(ScramMechanism.Sha256, "pw").ToStored();
}
