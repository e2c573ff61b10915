using System.Globalization;
using System.Text;
using OrleansLog.Connect.Config;
using OrleansLog.Connect.Converters;
using OrleansLog.Connect.Data;

namespace OrleansLog.Connect.Transforms;

/// <summary>
/// Kafka's TimestampRouter: the topic becomes <c>topic.format</c> with <c>${topic}</c> and <c>${timestamp}</c> replaced,
/// the record's timestamp written in <c>timestamp.format</c> (Java's date pattern letters y M d H m s S, in UTC).
/// </summary>
public sealed class TimestampRouter(ConnectConfig config) : ITransform
{
    public static ConfigDef Config { get; } = new ConfigDef()
        .Define("topic.format", ConfigType.String, "${topic}-${timestamp}", ConfigImportance.High, "Format string which can contain ${topic} and ${timestamp}.")
        .Define("timestamp.format", ConfigType.String, "yyyyMMdd", ConfigImportance.High, "Java date pattern for the timestamp.", PatternRule);

    private readonly string _topicFormat = config.RequireString("topic.format");
    private readonly string _timestampFormat = ToNetPattern(config.RequireString("timestamp.format"));

    public ConnectRecord? Apply(ConnectRecord record)
    {
        if (record.Timestamp is not { } timestamp)
        {
            throw new DataException("TimestampRouter: the record has no timestamp.");
        }

        var formatted = DateTimeOffset.FromUnixTimeMilliseconds(timestamp).UtcDateTime.ToString(_timestampFormat, CultureInfo.InvariantCulture);
        return record with { Topic = _topicFormat.Replace("${topic}", record.Topic, StringComparison.Ordinal).Replace("${timestamp}", formatted, StringComparison.Ordinal) };
    }

    /// <summary>Java's pattern letters as .NET's; text in quotes stays text, other letters are refused.</summary>
    private static string ToNetPattern(string java)
    {
        var net = new StringBuilder();
        var quoted = false;
        foreach (var c in java)
        {
            if (c == '\'')
            {
                quoted = !quoted;
                net.Append(c);
            }
            else if (quoted || !char.IsAsciiLetter(c))
            {
                net.Append(quoted ? c.ToString() : c is '/' or ':' or '%' or '\\' ? "\\" + c : c.ToString());
            }
            else
            {
                net.Append(c switch
                {
                    'y' or 'M' or 'd' or 'H' or 'm' or 's' => c,
                    'S' => 'f',
                    _ => throw new ConfigException($"TimestampRouter: the pattern letter '{c}' is not supported (use y M d H m s S)."),
                });
            }
        }

        return net.ToString();
    }

    private static string? PatternRule(object? value)
    {
        try
        {
            _ = ToNetPattern((string)value!);
            return null;
        }
        catch (ConfigException e)
        {
            return e.Message;
        }
    }
}
