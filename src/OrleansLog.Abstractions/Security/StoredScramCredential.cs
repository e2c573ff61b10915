namespace OrleansLog.Security;

/// <summary>
/// A user's SCRAM credential for one mechanism as the cluster stores it (RFC 5802 section 3): salt, iterations, StoredKey
/// and ServerKey; never the password.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record StoredScramCredential(
    [property: Id(0)] string Mechanism,
    [property: Id(1)] byte[] Salt,
    [property: Id(2)] int Iterations,
    [property: Id(3)] byte[] StoredKey,
    [property: Id(4)] byte[] ServerKey);

/// <summary>What may be shown of a user's credential (Kafka's DescribeUserScramCredentials): its mechanism and iterations.</summary>
[GenerateSerializer, Immutable]
public sealed record ScramCredentialInfo(
    [property: Id(0)] string User,
    [property: Id(1)] string Mechanism,
    [property: Id(2)] int Iterations);
