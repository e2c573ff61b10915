using OrleansLog.Connect.Config;

namespace OrleansLog.Connect.Converters;

/// <summary>The converters a connector can name, by Kafka's class names or short names, and their settings.</summary>
public static class ConverterFactory
{
    public const string StringClass = "org.apache.kafka.connect.storage.StringConverter";
    public const string JsonClass = "org.apache.kafka.connect.json.JsonConverter";
    public const string ByteArrayClass = "org.apache.kafka.connect.converters.ByteArrayConverter";

    public static IReadOnlyList<string> Known { get; } = [StringClass, JsonClass, ByteArrayClass, AvroConverter.ClassName, JsonSchemaConverter.ClassName];

    /// <summary>What is wrong with naming <paramref name="className"/> with <paramref name="settings"/>, or null.</summary>
    public static string? Check(string className, IReadOnlyDictionary<string, string> settings)
    {
        try
        {
            _ = Create(className, settings, isKey: false, ValidationOnly.Instance);
            return null;
        }
        catch (ConfigException e)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// A converter of <paramref name="className"/> configured with <paramref name="settings"/> (its prefix taken off), for
    /// keys or values. The schema registry converters use <paramref name="schemas"/>, the cluster's own registry, whatever
    /// <c>schema.registry.url</c> says.
    /// </summary>
    public static IConverter Create(string className, IReadOnlyDictionary<string, string> settings, bool isKey, ISchemaStore schemas) => ShortName(className) switch
    {
        "StringConverter" => new StringConverter(),
        "ByteArrayConverter" => new ByteArrayConverter(),
        "JsonConverter" => new JsonConverter(SchemasEnabled(settings)),
        "AvroConverter" => new AvroConverter(schemas, isKey),
        "JsonSchemaConverter" => new JsonSchemaConverter(schemas, isKey),
        _ => throw new ConfigException($"Unknown converter class {className}; known: {string.Join(", ", Known)}."),
    };

    private static bool SchemasEnabled(IReadOnlyDictionary<string, string> settings) =>
        !settings.TryGetValue(JsonConverter.SchemasEnable, out var text) ? true
        : bool.TryParse(text, out var enabled) ? enabled
        : throw new ConfigException($"Invalid value {text} for configuration {JsonConverter.SchemasEnable}: Expected value to be either true or false");

    private static string ShortName(string className) => className[(className.LastIndexOf('.') + 1)..];

    /// <summary>Stands in for the registry while a configuration is only checked: nothing is converted then.</summary>
    private sealed class ValidationOnly : ISchemaStore
    {
        public static ValidationOnly Instance { get; } = new();

        public Task<int> RegisterAsync(string subject, string schemaType, string schema) => throw new InvalidOperationException("Validation converts nothing.");

        public Task<(string SchemaType, string Schema)> GetAsync(int id) => throw new InvalidOperationException("Validation converts nothing.");
    }
}
