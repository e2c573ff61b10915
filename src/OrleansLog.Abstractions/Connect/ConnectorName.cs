namespace OrleansLog.Connect;

/// <summary>The rule for a connector's name, the same wherever a name arrives (the REST API, the CLI, the connector grain).</summary>
public static class ConnectorName
{
    /// <summary>Kafka's limit on a topic name, used for connector names too.</summary>
    public const int MaxLength = 249;

    /// <summary>What is wrong with <paramref name="name"/> as a connector's name, or null.</summary>
    public static string? Check(string? name) =>
        string.IsNullOrWhiteSpace(name) ? "A connector needs a name."
        : name.Length > MaxLength ? $"A connector's name has at most {MaxLength} characters."
        : name.Any(c => char.IsControl(c) || c == '/') ? "A connector's name may not contain '/' or control characters."
        : name != name.Trim() ? "A connector's name may not start or end with white space."
        : null;
}
