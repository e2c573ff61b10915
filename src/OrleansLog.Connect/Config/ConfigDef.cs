using System.Collections.Immutable;
using System.Globalization;

namespace OrleansLog.Connect.Config;

/// <summary>
/// The settings something takes (Kafka's ConfigDef): parses a configuration of strings into typed values, and reports
/// per field what is wrong with it, so a user sees every error of a configuration at once. Immutable once built.
/// </summary>
public sealed class ConfigDef
{
    private readonly List<ConfigKey> _keys = [];

    public IReadOnlyList<ConfigKey> Keys => _keys;

    public ConfigDef Define(ConfigKey key)
    {
        _keys.Add(key);
        return this;
    }

    public ConfigDef Define(string name, ConfigType type, string? defaultValue, ConfigImportance importance, string documentation, Func<object?, string?>? rule = null, string? group = null) =>
        Define(new ConfigKey(name, type, importance, documentation, group) { Default = defaultValue, Rule = rule });

    public ConfigDef Require(string name, ConfigType type, ConfigImportance importance, string documentation, Func<object?, string?>? rule = null, string? group = null) =>
        Define(new ConfigKey(name, type, importance, documentation, group) { Required = true, Rule = rule });

    /// <summary>Every key of <paramref name="other"/>, each name prefixed (a transform's settings under "transforms.alias.").</summary>
    public ConfigDef Embed(string prefix, string group, ConfigDef other)
    {
        foreach (var key in other._keys)
        {
            Define(key with { Name = prefix + key.Name, Group = group });
        }

        return this;
    }

    /// <summary>Each key's value as given (or its default) and what is wrong with it.</summary>
    public IEnumerable<(ConfigKey Key, string? Value, ImmutableArray<string> Errors)> Check(IReadOnlyDictionary<string, string> config)
    {
        foreach (var key in _keys)
        {
            var given = config.TryGetValue(key.Name, out var text) ? text : null;
            var value = given ?? key.Default;
            if (value is null)
            {
                yield return (key, null, key.Required ? [$"Missing required configuration \"{key.Name}\" which has no default value."] : []);
                continue;
            }

            if (!TryParse(key.Type, value, out var parsed, out var parseError))
            {
                yield return (key, given, [$"Invalid value {value} for configuration {key.Name}: {parseError}"]);
                continue;
            }

            var problem = key.Rule?.Invoke(parsed);
            yield return (key, given, problem is null ? [] : [$"Invalid value {value} for configuration {key.Name}: {problem}"]);
        }
    }

    /// <summary>The configuration's typed values; throws <see cref="ConfigException"/> naming the first field that is wrong.</summary>
    public ConnectConfig Parse(IReadOnlyDictionary<string, string> config)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, given, errors) in Check(config))
        {
            if (errors.Length > 0)
            {
                throw new ConfigException(errors[0]);
            }

            var value = given ?? key.Default;
            values[key.Name] = value is null ? null : TryParse(key.Type, value, out var parsed, out _) ? parsed : null;
        }

        return new ConnectConfig(values, config);
    }

    public static bool TryParse(ConfigType type, string text, out object? value, out string? error)
    {
        error = null;
        value = null;
        switch (type)
        {
            case ConfigType.Int when int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var i):
                value = i;
                return true;
            case ConfigType.Long when long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var l):
                value = l;
                return true;
            case ConfigType.Double when double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d):
                value = d;
                return true;
            case ConfigType.Boolean when bool.TryParse(text.Trim(), out var b):
                value = b;
                return true;
            case ConfigType.List:
                value = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToImmutableArray();
                return true;
            case ConfigType.String or ConfigType.Class or ConfigType.Password:
                value = text;
                return true;
            default:
                error = $"Expected value to be {Describe(type)}, but it was \"{text}\"";
                return false;
        }
    }

    private static string Describe(ConfigType type) => type switch
    {
        ConfigType.Int => "a 32-bit integer",
        ConfigType.Long => "a 64-bit integer",
        ConfigType.Double => "a number",
        ConfigType.Boolean => "either true or false",
        _ => type.ToString(),
    };
}
