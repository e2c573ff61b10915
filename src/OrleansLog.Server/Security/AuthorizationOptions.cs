namespace OrleansLog.Server.Security;

/// <summary>Who may do what, bound from <c>OrleansLog:Authorization</c> (Kafka's names in comments).</summary>
public sealed class AuthorizationOptions
{
    public const string SectionName = "OrleansLog:Authorization";

    /// <summary>
    /// Whether requests are checked against the cluster's ACLs (Kafka's <c>authorizer.class.name</c>). Unset, it is on
    /// exactly when a Kafka listener uses SASL: once clients have names, nothing is open by default.
    /// </summary>
    public bool? Enabled { get; set; }

    /// <summary>Principals that pass every check (<c>super.users</c>), e.g. "User:admin"; an entry may list several as Kafka writes them, "User:admin;User:ops".</summary>
    public List<string> SuperUsers { get; set; } = [];

    /// <summary>Whether a resource no ACL names is open to everyone (<c>allow.everyone.if.no.acl.found</c>; off, as Kafka's).</summary>
    public bool AllowEveryoneIfNoAclFound { get; set; }

    /// <summary>How often each broker checks the ACLs' version (a change made through this broker applies at once).</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Splits entries written in Kafka's form ("User:admin;User:ops", as <c>--super-users</c> takes it) into one principal each.</summary>
    public void SplitSuperUsers() =>
        SuperUsers = [.. SuperUsers.SelectMany(entry => entry.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).Distinct(StringComparer.Ordinal)];
}
