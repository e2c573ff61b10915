namespace OrleansLog.Client;

/// <summary>A record to produce or one consumed: key, value, timestamp and headers.</summary>
public sealed class Message<TKey, TValue>
{
    public TKey Key { get; set; } = default!;

    public TValue Value { get; set; } = default!;

    /// <summary>Milliseconds since the Unix epoch; on produce, null means now.</summary>
    public long? Timestamp { get; set; }

    public Headers? Headers { get; set; }
}
