using System.Net;
using System.Net.Sockets;

namespace OrleansLog.Server.Metadata;

/// <summary>
/// Evidence that a silent silo's process is gone: its silo port refuses a TCP connection. Only a refusal
/// counts. A killed process's ports are closed at once, so the kernel refuses; a paused or overloaded process
/// keeps its listening socket, so the kernel still accepts (or the attempt times out), and that proves nothing:
/// such a silo is judged by its session timeout alone. A new process of the same broker is a new silo address
/// (another generation), so a refusal can never be mistaken for its successor's.
/// </summary>
public static class SiloPortProbe
{
    /// <summary>True when <paramref name="endpoint"/> refused a connection within <paramref name="timeout"/>; false when it accepted, or no answer came.</summary>
    public static async Task<bool> IsClosedAsync(IPEndPoint endpoint, TimeSpan timeout, TimeProvider time)
    {
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(endpoint).WaitAsync(timeout, time);
            return false;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return true;
        }
        catch (Exception e) when (e is SocketException or TimeoutException)
        {
            return false;
        }
    }
}
