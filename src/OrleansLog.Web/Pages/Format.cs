using System.Globalization;
using System.Text.Json;

namespace OrleansLog.Web.Pages;

/// <summary>How the console shows sizes, times and record payloads.</summary>
public static class Format
{
    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0 / 1024:0.0} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0 / 1024 / 1024:0.00} GiB"),
    };

    public static string Time(long? unixMs) => unixMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture) : "-";

    /// <summary>JSON pretty-printed; other UTF-8 text as it is; anything else as base64 (marked): the REST API's reading of the bytes, shown.</summary>
    public static string Payload(byte[]? bytes) => Api.RecordPayloads.FromBytes(bytes) switch
    {
        null => "(null)",
        { Type: "JSON" } json => JsonSerializer.Serialize(json.Data, Indented),
        { Type: "STRING" } text => text.Data.GetString()!,
        var binary => "base64: " + binary.Data.GetString(),
    };

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}
