namespace OrleansLog.Client.Producing;

/// <summary>What a delivery handler of <c>Produce</c> receives: the result, or the error that ended the record's delivery.</summary>
public sealed class DeliveryReport<TKey, TValue> : DeliveryResult<TKey, TValue>
{
    public ErrorCode Error { get; init; }

    public string? ErrorMessage { get; init; }

    public bool IsError => Error != ErrorCode.None;
}
