using System.Net;
using System.Net.Sockets;

namespace OrleansLog.Benchmarks;

/// <summary>Small helpers shared by the benchmark suites.</summary>
internal static class Benchmarks
{
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
