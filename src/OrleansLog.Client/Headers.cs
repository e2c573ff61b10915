using OrleansLog.Records;

namespace OrleansLog.Client;

/// <summary>A record's headers in order; a key may repeat and a value may be null.</summary>
public sealed class Headers : List<RecordHeader>
{
    /// <summary>Adds a header; a null value stays null (a plain conversion would make it empty).</summary>
    public void Add(string key, byte[]? value) => Add(new RecordHeader(key, value is null ? (ReadOnlyMemory<byte>?)null : value));

    /// <summary>The value of the last header with <paramref name="key"/>, or null.</summary>
    public byte[]? GetLastBytes(string key)
    {
        for (var i = Count - 1; i >= 0; i--)
        {
            if (this[i].Key == key)
            {
                return this[i].Value?.ToArray();
            }
        }

        return null;
    }
}
