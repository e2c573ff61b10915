using System.Globalization;
using System.Text.RegularExpressions;

namespace OrleansLog.Connect.Config;

/// <summary>Rules for <see cref="ConfigKey.Rule"/>: ranges, choices, non-empty strings and regular expressions.</summary>
public static class ConfigRules
{
    public static Func<object?, string?> AtLeast(long min) =>
        value => value is null || Convert.ToInt64(value, CultureInfo.InvariantCulture) >= min ? null : $"Value must be at least {min}";

    public static Func<object?, string?> Between(long min, long max) =>
        value => value is null || Convert.ToInt64(value, CultureInfo.InvariantCulture) is var v && v >= min && v <= max ? null : $"Value must be between {min} and {max}";

    public static Func<object?, string?> OneOf(params string[] choices) =>
        value => value is null || choices.Contains((string)value, StringComparer.OrdinalIgnoreCase) ? null : $"String must be one of: {string.Join(", ", choices)}";

    public static Func<object?, string?> NonEmpty { get; } =
        value => value is string text && text.Trim().Length == 0 ? "String may not be empty" : null;

    public static Func<object?, string?> Regex { get; } = value =>
    {
        if (value is not string pattern)
        {
            return null;
        }

        try
        {
            _ = new Regex(pattern, RegexOptions.None, ConnectLimits.RegexTimeout);
            return null;
        }
        catch (ArgumentException e)
        {
            return $"Invalid regular expression: {e.Message}";
        }
    };
}
