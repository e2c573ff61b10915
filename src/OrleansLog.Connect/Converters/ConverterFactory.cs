using OrleansLog.Connect.Config;

namespace OrleansLog.Connect.Converters;

/// <summary>The converters a connector can name, by Kafka's class names or short names, and their settings.</summary>
public static class ConverterFactory
{
    public const string StringClass = "org.apache.kafka.connect.storage.StringConverter";
    public const string JsonClass = "org.apache.kafka.connect.json.JsonConverter";
    public const string ByteArrayClass = "org.apache.kafka.connect.converters.ByteArrayConverter";

    public static IReadOnlyList<string> Known { get; } = [StringClass, JsonClass, ByteArrayClass];

    /// <summary>What is wrong with naming <paramref name="className"/> with <paramref name="settings"/>, or null.</summary>
    public static string? Check(string className, IReadOnlyDictionary<string, string> settings)
    {
        try
        {
            _ = Create(className, settings);
            return null;
        }
        catch (ConfigException e)
        {
            return e.Message;
        }
    }

    /// <summary>A converter of <paramref name="className"/> configured with <paramref name="settings"/> (its prefix taken off).</summary>
    public static IConverter Create(string className, IReadOnlyDictionary<string, string> settings) => ShortName(className) switch
    {
        "StringConverter" => new StringConverter(),
        "ByteArrayConverter" => new ByteArrayConverter(),
        "JsonConverter" => new JsonConverter(SchemasEnabled(settings)),
        _ => throw new ConfigException($"Unknown converter class {className}; known: {string.Join(", ", Known)}."),
    };

    private static bool SchemasEnabled(IReadOnlyDictionary<string, string> settings) =>
        !settings.TryGetValue(JsonConverter.SchemasEnable, out var text) ? true
        : bool.TryParse(text, out var enabled) ? enabled
        : throw new ConfigException($"Invalid value {text} for configuration {JsonConverter.SchemasEnable}: Expected value to be either true or false");

    private static string ShortName(string className) => className[(className.LastIndexOf('.') + 1)..];
}
