using System.Collections.Immutable;

namespace OrleansLog.Connect.Config;

/// <summary>A parsed configuration (see <see cref="ConfigDef.Parse"/>): typed values with defaults applied, and the original strings for settings no key names (a transform's, a converter's).</summary>
public sealed class ConnectConfig(IReadOnlyDictionary<string, object?> values, IReadOnlyDictionary<string, string> original)
{
    public IReadOnlyDictionary<string, string> Original => original;

    public string? GetString(string name) => (string?)values[name];

    public string RequireString(string name) => GetString(name) ?? throw new ConfigException($"Missing required configuration \"{name}\".");

    public int GetInt(string name) => (int)values[name]!;

    public long GetLong(string name) => (long)values[name]!;

    public double GetDouble(string name) => (double)values[name]!;

    public bool GetBool(string name) => (bool)values[name]!;

    public ImmutableArray<string> GetList(string name) => values[name] is ImmutableArray<string> list ? list : [];

    /// <summary>The original settings that start with <paramref name="prefix"/>, with the prefix taken off.</summary>
    public ImmutableSortedDictionary<string, string> WithPrefix(string prefix) =>
        original.Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToImmutableSortedDictionary(e => e.Key[prefix.Length..], e => e.Value, StringComparer.Ordinal);
}
