using System.Collections.Immutable;
using OrleansLog.Client;

namespace OrleansLog.Connect.Runtime;

/// <summary>Headers between connect records and the client's messages.</summary>
internal static class RecordHeaders
{
    public static Headers? ToClient(ImmutableArray<KeyValuePair<string, byte[]?>> headers)
    {
        if (headers.IsDefaultOrEmpty)
        {
            return null;
        }

        var result = new Headers();
        foreach (var (key, value) in headers)
        {
            result.Add(key, value);
        }

        return result;
    }

    public static ImmutableArray<KeyValuePair<string, byte[]?>> FromClient(Headers? headers) =>
        headers is null ? [] : [.. headers.Select(h => KeyValuePair.Create(h.Key, h.Value?.ToArray()))];
}
