using System.Globalization;

namespace OrleansLog.Brokers;

/// <summary>A broker's advertised Kafka endpoint as the coordinator stores it (<see cref="BrokerDescription.KafkaEndpoint"/>): "host:port". The one place it is written and read.</summary>
public static class KafkaEndpoint
{
    public static string Format(string host, int port) => string.Create(CultureInfo.InvariantCulture, $"{host}:{port}");

    public static bool TryParse(string? endpoint, out string host, out int port)
    {
        host = "";
        port = 0;
        var colon = endpoint?.LastIndexOf(':') ?? -1;
        if (colon <= 0 || !int.TryParse(endpoint.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is <= 0 or > 65535)
        {
            return false;
        }

        host = endpoint![..colon];
        return true;
    }
}
