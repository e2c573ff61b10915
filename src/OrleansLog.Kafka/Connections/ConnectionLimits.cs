using System.Net;
using OrleansLog.Kafka.Hosting;

namespace OrleansLog.Kafka.Connections;

/// <summary>
/// Counts the listener's open connections, in all and per client address, against
/// <see cref="KafkaListenerOptions.MaxConnections"/> and <see cref="KafkaListenerOptions.MaxConnectionsPerIp"/>.
/// A connection admitted by <see cref="TryAdmit"/> is released once with <see cref="Release"/>.
/// Thread-safe.
/// </summary>
internal sealed class ConnectionLimits(KafkaListenerOptions options)
{
    private readonly Dictionary<IPAddress, int> _perAddress = [];
    private readonly Lock _lock = new();
    private int _total;

    /// <summary>Null when the connection may stay; otherwise why it may not.</summary>
    public string? TryAdmit(IPAddress address)
    {
        lock (_lock)
        {
            if (_total >= options.MaxConnections)
            {
                return $"the listener already has {_total} connections (max.connections {options.MaxConnections})";
            }

            var fromAddress = _perAddress.GetValueOrDefault(address);
            if (fromAddress >= options.MaxConnectionsPerIp)
            {
                return $"{address} already has {fromAddress} connections (max.connections.per.ip {options.MaxConnectionsPerIp})";
            }

            _total++;
            _perAddress[address] = fromAddress + 1;
            return null;
        }
    }

    public void Release(IPAddress address)
    {
        lock (_lock)
        {
            _total--;
            if (_perAddress.TryGetValue(address, out var count) && count > 1)
            {
                _perAddress[address] = count - 1;
            }
            else
            {
                _perAddress.Remove(address);
            }
        }
    }
}
