namespace OrleansLog.Server.Security;

/// <summary>
/// The first administrator, bound from <c>OrleansLog:Bootstrap</c>: once authorization is on, nobody anonymous may
/// create users, so the broker creates this one (SCRAM-SHA-256 and SCRAM-SHA-512) when it does not exist yet, and makes
/// it a super user (Kafka's <c>kafka-storage format --add-scram</c> plays this part). Give the password through the
/// environment (<c>OrleansLog__Bootstrap__Password</c>, from a Kubernetes Secret), never a file in the repository.
/// </summary>
public sealed class BootstrapUserOptions
{
    public const string SectionName = "OrleansLog:Bootstrap";

    /// <summary>The user's name; unset, no user is made.</summary>
    public string? User { get; set; }

    public string? Password { get; set; }
}
