namespace OrleansLog.Client.Producing;

/// <summary>A record that could not be delivered: the error code, and the record with its destination.</summary>
public sealed class ProduceException<TKey, TValue>(ErrorCode code, string message, DeliveryResult<TKey, TValue> deliveryResult)
    : OrleansLogException(code, message)
{
    public DeliveryResult<TKey, TValue> DeliveryResult { get; } = deliveryResult;
}
