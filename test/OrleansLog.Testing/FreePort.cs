using System.Net;
using System.Net.Sockets;

namespace OrleansLog.Testing;

/// <summary>
/// A loopback TCP port nobody listens on right now, never the same twice in one test process. Ports come
/// from 10000-32000, below Linux's ephemeral range (32768-60999): the kernel hands those out for port 0
/// and outgoing connections, so a port just released there can come back at once, to this process (a
/// broker got the same port for its silo and its HTTP endpoint) or to a test suite running beside it.
/// </summary>
public static class FreePort
{
    private const int First = 10_000;
    private const int Last = 32_000;

    private static readonly HashSet<int> HandedOut = [];

    public static int Next()
    {
        lock (HandedOut)
        {
            while (true)
            {
                var port = Random.Shared.Next(First, Last);
                if (!HandedOut.Contains(port) && IsFree(port))
                {
                    HandedOut.Add(port);
                    return port;
                }
            }
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
