using System.Globalization;
using Microsoft.Extensions.Options;

namespace OrleansLog.Hosting;

/// <summary>
/// The failures of one options validation, each naming its setting by its configuration key
/// (<c>Section:Name</c>), so a broker that refuses to start says which line of its configuration to fix.
/// Used by every <see cref="IValidateOptions{TOptions}"/> of the broker and the front end. Not thread-safe; one per validation.
/// </summary>
public sealed class OptionsChecks(string section)
{
    private readonly List<string> _failures = [];

    public OptionsChecks Positive(string name, TimeSpan value) =>
        That(value > TimeSpan.Zero, name, "must be positive", value);

    public OptionsChecks NotNegative(string name, TimeSpan value) =>
        That(value >= TimeSpan.Zero, name, "must not be negative", value);

    public OptionsChecks AtLeast(string name, long value, long minimum) =>
        That(value >= minimum, name, $"must be at least {minimum.ToString(CultureInfo.InvariantCulture)}", value);

    public OptionsChecks Between(string name, long value, long minimum, long maximum) =>
        That(value >= minimum && value <= maximum, name, $"must be between {minimum.ToString(CultureInfo.InvariantCulture)} and {maximum.ToString(CultureInfo.InvariantCulture)}", value);

    public OptionsChecks NotEmpty(string name, string? value) =>
        That(!string.IsNullOrWhiteSpace(value), name, "must not be empty", value);

    /// <summary>Records "<c>Section:Name rule (was value).</c>" unless <paramref name="holds"/>.</summary>
    public OptionsChecks That(bool holds, string name, string rule, object? value)
    {
        if (!holds)
        {
            _failures.Add(string.Create(CultureInfo.InvariantCulture, $"{section}:{name} {rule} (was {(value is null ? "empty" : Convert.ToString(value, CultureInfo.InvariantCulture))})."));
        }

        return this;
    }

    public ValidateOptionsResult Result() => _failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_failures);
}
