namespace OrleansLog.Client.Consuming;

/// <summary>Kafka's <c>auto.offset.reset</c>: where a consumer starts without a valid committed offset.</summary>
public enum AutoOffsetReset
{
    /// <summary>At the end: only records produced from now on.</summary>
    Latest,

    /// <summary>At the log start offset.</summary>
    Earliest,

    /// <summary>Consume reports OFFSET_OUT_OF_RANGE instead of choosing.</summary>
    Error,
}
