using System.Text;
using System.Text.Json;

namespace OrleansLog.Web.Api;

/// <summary>
/// Keys and values between JSON and bytes. In: JSON (any JSON, stored as its UTF-8 text; the default),
/// STRING (a JSON string, stored as UTF-8) or BINARY (a base64 string). Out: JSON when the bytes are a
/// JSON document, STRING when they are other UTF-8 text without control characters, BINARY (base64) otherwise.
/// </summary>
internal static class RecordPayloads
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The bytes of <paramref name="payload"/> (null for an absent one), or why it cannot be stored.</summary>
    public static byte[]? ToBytes(RecordPayload? payload, string what, out string? problem)
    {
        problem = null;
        if (payload is null || payload.Data.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return null;
        }

        switch (payload.Type?.ToUpperInvariant() ?? "JSON")
        {
            case "JSON":
                return Encoding.UTF8.GetBytes(payload.Data.GetRawText());
            case "STRING" when payload.Data.ValueKind == JsonValueKind.String:
                return Encoding.UTF8.GetBytes(payload.Data.GetString()!);
            case "BINARY" when payload.Data.ValueKind == JsonValueKind.String:
                try
                {
                    return Convert.FromBase64String(payload.Data.GetString()!);
                }
                catch (FormatException)
                {
                    problem = $"The {what} has type BINARY but its data is not base64.";
                    return null;
                }

            case "STRING" or "BINARY":
                problem = $"The {what} has type {payload.Type}: its data must be a JSON string.";
                return null;
            default:
                problem = $"The {what} has type \"{payload.Type}\"; use JSON, STRING or BINARY.";
                return null;
        }
    }

    public static RecordPayload? FromBytes(byte[]? bytes)
    {
        if (bytes is null)
        {
            return null;
        }

        if (IsJsonDocument(bytes))
        {
            using var document = JsonDocument.Parse(bytes);
            return new RecordPayload("JSON", document.RootElement.Clone());
        }

        try
        {
            var text = StrictUtf8.GetString(bytes);
            if (!text.Any(c => char.IsControl(c) && c is not ('\t' or '\n' or '\r')))
            {
                return new RecordPayload("STRING", JsonSerializer.SerializeToElement(text));
            }
        }
        catch (DecoderFallbackException)
        {
            // Not text.
        }

        return new RecordPayload("BINARY", JsonSerializer.SerializeToElement(Convert.ToBase64String(bytes)));
    }

    private static bool IsJsonDocument(ReadOnlySpan<byte> bytes)
    {
        try
        {
            var reader = new Utf8JsonReader(bytes);
            while (reader.Read())
            {
            }

            return bytes.Length > 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
