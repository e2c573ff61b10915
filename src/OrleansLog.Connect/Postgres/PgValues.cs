using System.Globalization;
using System.Text;
using OrleansLog.Connect.Data;

namespace OrleansLog.Connect.Postgres;

/// <summary>
/// PostgreSQL values in both directions, by type OID: the schema of a column, a value from its text form (how pgoutput
/// and a <c>::text</c> cast deliver it), the column type a schema needs, and a value in COPY's text format.
/// Integers, floats and booleans keep their types; numeric stays text (no precision lost); bytea is bytes; every other
/// type is its text. Pure: thread-safe.
/// </summary>
public static class PgValues
{
    private const uint Bool = 16;
    private const uint Bytea = 17;
    private const uint Int8 = 20;
    private const uint Int2 = 21;
    private const uint Int4 = 23;
    private const uint Oid = 26;
    private const uint Float4 = 700;
    private const uint Float8 = 701;

    public static ConnectSchema SchemaOf(uint typeOid, bool optional) => new(typeOid switch
    {
        Bool => ConnectTypes.Boolean,
        Int2 => ConnectTypes.Int16,
        Int4 => ConnectTypes.Int32,
        Int8 or Oid => ConnectTypes.Int64,
        Float4 => ConnectTypes.Float32,
        Float8 => ConnectTypes.Float64,
        Bytea => ConnectTypes.Bytes,
        _ => ConnectTypes.String,
    }, optional);

    public static object? FromText(uint typeOid, string? text) => text is null ? null : typeOid switch
    {
        Bool => text == "t",
        Int2 or Int4 or Int8 or Oid => long.Parse(text, CultureInfo.InvariantCulture),
        Float4 or Float8 => double.Parse(text, CultureInfo.InvariantCulture),
        Bytea => Convert.FromHexString(text.AsSpan(2)),
        _ => text,
    };

    /// <summary>The column type for values of <paramref name="schema"/> (a sink's auto-created table).</summary>
    public static string ColumnType(ConnectSchema? schema) => schema?.Type switch
    {
        ConnectTypes.Boolean => "boolean",
        ConnectTypes.Int8 or ConnectTypes.Int16 => "smallint",
        ConnectTypes.Int32 => "integer",
        ConnectTypes.Int64 => "bigint",
        ConnectTypes.Float32 => "real",
        ConnectTypes.Float64 => "double precision",
        ConnectTypes.Bytes => "bytea",
        _ => "text",
    };

    /// <summary>Appends <paramref name="value"/> in COPY's text format (<c>\N</c> for null, escapes for tab, newline, CR and backslash).</summary>
    public static void AppendCopyText(StringBuilder line, object? value)
    {
        switch (value)
        {
            case null:
                line.Append("\\N");
                break;
            case bool b:
                line.Append(b ? 't' : 'f');
                break;
            case byte[] bytes:
                line.Append("\\\\x").Append(Convert.ToHexString(bytes));
                break;
            case double d:
                line.Append(d.ToString("R", CultureInfo.InvariantCulture));
                break;
            case IFormattable number:
                line.Append(number.ToString(null, CultureInfo.InvariantCulture));
                break;
            default:
                var text = value as string ?? Converters.JsonConverter.ToJsonText(value);
                foreach (var c in text)
                {
                    line.Append(c switch
                    {
                        '\\' => "\\\\",
                        '\t' => "\\t",
                        '\n' => "\\n",
                        '\r' => "\\r",
                        _ => c.ToString(),
                    });
                }

                break;
        }
    }

    /// <summary>A value as PostgreSQL's text cast writes it (to compare with <c>column::text</c>), or null.</summary>
    public static string? ToText(object? value) => value switch
    {
        null => null,
        bool b => b ? "true" : "false",
        byte[] bytes => "\\x" + Convert.ToHexString(bytes).ToLowerInvariant(),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => value as string ?? Converters.JsonConverter.ToJsonText(value),
    };

    /// <summary>An identifier quoted for SQL ("a""b").</summary>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>"schema.table" quoted; a name without a schema is in public.</summary>
    public static string QuoteTable(string name)
    {
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? "public." + Quote(name) : Quote(name[..dot]) + "." + Quote(name[(dot + 1)..]);
    }
}
