using System.Security.Cryptography.X509Certificates;
using OrleansLog.Server.Security.Tls;

namespace OrleansLog.Server.Tests.Security;

/// <summary>Kafka's <c>ssl.principal.mapping.rules</c>: parsing, the first whole match, the case flags, DEFAULT, and RFC 2253 subjects.</summary>
public sealed class SslPrincipalMapperTests
{
    [Theory]
    [InlineData("DEFAULT", "CN=alice,OU=eng,O=corp", "CN=alice,OU=eng,O=corp")]
    [InlineData("RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/,DEFAULT", "CN=kafka-server,OU=ServiceUsers,O=Org", "kafka-server")]
    [InlineData("RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/,DEFAULT", "CN=alice,OU=People,O=Org", "CN=alice,OU=People,O=Org")]
    [InlineData("RULE:^CN=(.*?),OU=(.*?),O=(.*?)$/$1@$2/L", "CN=Alice,OU=Eng,O=Org", "alice@eng")]
    [InlineData("RULE:^CN=(.*?),OU=(.*?),O=(.*?)$/$1@$2/U", "CN=Alice,OU=Eng,O=Org", "ALICE@ENG")]
    [InlineData("RULE:^.*[Cc][Nn]=([a-zA-Z0-9.]*).*$/$1/L, DEFAULT", "CN=Kafka.Broker,O=Org", "kafka.broker")]
    [InlineData("RULE:^CN=([^,]*),O=a\\/b$/$1-slash/", "CN=x,O=a/b", "x-slash")]
    [InlineData("RULE:^OU=(.*)$/$1/", "CN=alice,OU=eng", "CN=alice,OU=eng")]
    [InlineData("", "CN=alice", "CN=alice")]
    public void The_first_rule_matching_the_whole_subject_names_the_principal(string rules, string subject, string expected)
    {
        var mapper = SslPrincipalMapper.TryParse(rules, out var error);
        Assert.True(mapper is not null, error);
        Assert.Equal(expected, mapper.Map(subject));
    }

    [Theory]
    [InlineData("RULE:^CN=(.*)$/$1")]
    [InlineData("RULE:^CN=(.*$/$1/")]
    [InlineData("DEFAULT DEFAULT")]
    [InlineData("something")]
    public void Rules_not_in_kafkas_syntax_are_refused(string rules)
    {
        Assert.Null(SslPrincipalMapper.TryParse(rules, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void A_subject_is_written_as_rfc_2253_most_specific_first_with_escapes()
    {
        var subject = new X500DistinguishedName("CN=\"Smith, John\", OU=Eng, O=Corp, C=US");
        Assert.Equal("CN=Smith\\, John,OU=Eng,O=Corp,C=US", SslPrincipalMapper.Rfc2253(subject));
    }
}
