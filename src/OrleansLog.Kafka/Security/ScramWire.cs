using OrleansLog.Security;

namespace OrleansLog.Kafka.Security;

/// <summary>Kafka's numbering of SCRAM mechanisms in DescribeUserScramCredentials and AlterUserScramCredentials: 1 SCRAM-SHA-256, 2 SCRAM-SHA-512, 0 unknown.</summary>
internal static class ScramWire
{
    public static sbyte MechanismCode(string mechanism) => mechanism switch
    {
        "SCRAM-SHA-256" => 1,
        "SCRAM-SHA-512" => 2,
        _ => 0,
    };

    public static ScramMechanism? Mechanism(sbyte code) => code switch
    {
        1 => ScramMechanism.Sha256,
        2 => ScramMechanism.Sha512,
        _ => null,
    };
}
