using Orleans;

namespace OrleansLog.Client.Internal;

/// <summary>
/// Remembers when the Orleans client last lost a gateway connection. A request in flight through a gateway
/// whose silo died is lost, but the Orleans client only fails it at its response timeout; Kafka clients fail
/// in-flight requests when their connection closes, and so do our idempotent producers, through this.
/// Thread-safe.
/// </summary>
internal sealed class GatewayLossWatch
{
    private long _lastLoss = long.MinValue;

    /// <summary>The handler to register with the Orleans client (<c>AddGatewayCountChangedHandler</c>).</summary>
    public void OnGatewayCountChanged(object? sender, GatewayCountChangedEventArgs e)
    {
        if (e.NumberOfConnectedGateways < e.PreviousNumberOfConnectedGateways)
        {
            Interlocked.Exchange(ref _lastLoss, TimeProvider.System.GetTimestamp());
        }
    }

    /// <summary>Whether a gateway was lost after <paramref name="timestamp"/> (a <see cref="TimeProvider.System"/> timestamp).</summary>
    public bool LostSince(long timestamp) => Interlocked.Read(ref _lastLoss) > timestamp;
}
