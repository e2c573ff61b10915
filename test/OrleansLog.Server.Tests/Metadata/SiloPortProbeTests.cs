using System.Net;
using System.Net.Sockets;
using OrleansLog.Server.Metadata;

namespace OrleansLog.Server.Tests.Metadata;

public sealed class SiloPortProbeTests
{
    [Fact]
    public async Task A_listening_port_is_not_closed_and_a_released_one_is()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var endpoint = (IPEndPoint)listener.LocalEndpoint;

        // Nothing ever accepts here, as in a paused process: the kernel completes the connection all the same.
        Assert.False(await SiloPortProbe.IsClosedAsync(endpoint, TimeSpan.FromSeconds(5), TimeProvider.System));

        listener.Stop();
        Assert.True(await SiloPortProbe.IsClosedAsync(endpoint, TimeSpan.FromSeconds(5), TimeProvider.System));
    }
}
