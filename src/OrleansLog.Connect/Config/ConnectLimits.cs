namespace OrleansLog.Connect.Config;

/// <summary>Bounds on what a connector's configuration can make the cluster hold or do, whoever sends it.</summary>
public static class ConnectLimits
{
    public const int MaxConfigEntries = 1_000;

    public const int MaxConfigKeyLength = 256;

    public const int MaxConfigValueLength = 64 * 1024;

    public const int MaxTransforms = 32;

    /// <summary>How long a user's regular expression (RegexRouter, topics.regex, a predicate) may run on one input.</summary>
    public static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>What is wrong with the size of a configuration, or null.</summary>
    public static string? CheckSize(IReadOnlyDictionary<string, string> config) =>
        config.Count > MaxConfigEntries ? $"A configuration has at most {MaxConfigEntries} entries."
        : config.FirstOrDefault(e => e.Key.Length > MaxConfigKeyLength || e.Value.Length > MaxConfigValueLength) is { Key: { } key }
            ? $"\"{Shorten(key)}\": keys have at most {MaxConfigKeyLength} characters and values at most {MaxConfigValueLength}."
        : null;

    private static string Shorten(string key) => key.Length <= 40 ? key : key[..40] + "…";
}
