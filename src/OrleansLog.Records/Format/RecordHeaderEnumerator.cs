namespace OrleansLog.Records;

/// <summary>Walks the headers of one <see cref="Record"/> without allocating; keys and values are views.</summary>
public ref struct RecordHeaderEnumerator
{
    private ReadOnlySpan<byte> _remaining;
    private int _left;

    internal RecordHeaderEnumerator(ReadOnlySpan<byte> headers, int count)
    {
        _remaining = headers;
        _left = count;
        CurrentKey = default;
        CurrentValue = default;
    }

    /// <summary>The UTF-8 bytes of the current header's key.</summary>
    public ReadOnlySpan<byte> CurrentKey { get; private set; }

    public ReadOnlySpan<byte> CurrentValue { get; private set; }

    public bool CurrentHasValue { get; private set; }

    public bool MoveNext()
    {
        if (_left == 0)
        {
            return false;
        }

        if (!Varint.TryReadVarInt(_remaining, out var keyLength, out var read) || keyLength < 0 || keyLength > _remaining.Length - read)
        {
            throw RecordReader.Corrupt("header key length");
        }

        CurrentKey = _remaining.Slice(read, keyLength);
        _remaining = _remaining[(read + keyLength)..];
        if (!Varint.TryReadVarInt(_remaining, out var valueLength, out read) || valueLength < -1 || valueLength > _remaining.Length - read)
        {
            throw RecordReader.Corrupt("header value length");
        }

        CurrentHasValue = valueLength >= 0;
        CurrentValue = valueLength > 0 ? _remaining.Slice(read, valueLength) : default;
        _remaining = _remaining[(read + Math.Max(valueLength, 0))..];
        _left--;
        return true;
    }

    public readonly RecordHeaderEnumerator GetEnumerator() => this;

    public readonly RecordHeaderEnumerator Current => this;
}
