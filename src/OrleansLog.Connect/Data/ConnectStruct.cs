namespace OrleansLog.Connect.Data;

/// <summary>
/// A struct or map value: named fields in order (the order a table's columns or a JSON object's properties came in).
/// Values are null, bool, long, double, string, byte[], a <see cref="ConnectStruct"/> or a list of values.
/// Not thread-safe; transforms build new ones rather than change what a record holds.
/// </summary>
public sealed class ConnectStruct : OrderedDictionary<string, object?>
{
    public ConnectStruct()
        : base(StringComparer.Ordinal)
    {
    }

    public ConnectStruct(IEnumerable<KeyValuePair<string, object?>> fields)
        : base(fields, StringComparer.Ordinal)
    {
    }
}
