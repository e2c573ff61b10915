namespace OrleansLog.Server.Security.Sessions;

/// <summary>Sessions of clients that sign in to the cluster (the native client, the CLI, HTTP), bound from <c>OrleansLog:Sessions</c>.</summary>
public sealed class SessionOptions
{
    public const string SectionName = "OrleansLog:Sessions";

    /// <summary>How long a session lasts; clients sign in again before it ends. A bearer JWT's session ends with the JWT if that is sooner.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a refused sign-in waits before it is answered, to slow password guessing (Kafka's <c>connection.failed.authentication.delay.ms</c> for SASL).</summary>
    public TimeSpan FailedSignInDelay { get; set; } = TimeSpan.FromMilliseconds(100);
}
