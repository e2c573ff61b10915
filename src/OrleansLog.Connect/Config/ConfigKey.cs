namespace OrleansLog.Connect.Config;

/// <summary>
/// One setting a connector, task, converter or transform takes: its name, type, default (none: the setting is required),
/// and a rule its parsed value must follow (null when it does, else what is wrong).
/// </summary>
public sealed record ConfigKey(
    string Name,
    ConfigType Type,
    ConfigImportance Importance,
    string Documentation,
    string? Group = null)
{
    /// <summary>Whether a value must be given.</summary>
    public bool Required { get; init; }

    /// <summary>The value used when none is given (a string, as in a connector's configuration).</summary>
    public string? Default { get; init; }

    /// <summary>Checks a parsed value; answers what is wrong, or null.</summary>
    public Func<object?, string?>? Rule { get; init; }

    /// <summary>Values a tool may offer (Kafka Connect's recommended values).</summary>
    public IReadOnlyList<string> Recommended { get; init; } = [];
}
