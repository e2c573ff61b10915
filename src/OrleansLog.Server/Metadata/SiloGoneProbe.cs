using System.Net;
using System.Net.Sockets;
using Orleans.Runtime.Messaging;

namespace OrleansLog.Server.Metadata;

/// <summary>
/// Evidence that a silent silo's process is gone, either of:
/// <list type="bullet">
/// <item>its silo port refuses a TCP connection, while this silo's own port accepts one (so the cluster's
/// transport is TCP on these ports; an in-memory test transport listens on none, and there a refusal would
/// prove nothing);</item>
/// <item>Orleans' own transport cannot open a connection to it, or reports it unavailable (its connection
/// was lost, or membership already declared it dead).</item>
/// </list>
/// A killed process's listener is closed at once, so connections are refused. A paused or overloaded process
/// keeps its listener (the kernel still completes connections) and its open connections, so a probe only goes
/// unanswered, which proves nothing: such a silo is judged by its session timeout alone. A new process of the
/// same broker is a new silo address (another generation), so a finding is never mistaken for its successor's.
/// A silo whose runtime answers is <see cref="SiloProbeFinding.Answered"/>: its process runs and can be reached.
/// Only meaningful while the local silo is active (a silo that is shutting down reports every target unavailable).
/// <para>Concurrency: thread-safe; probes run concurrently.</para>
/// </summary>
public sealed class SiloGoneProbe(IGrainFactory grains, ILocalSiloDetails local, TimeProvider time)
{
    private volatile bool _tcpTransport;

    /// <summary>Whether <paramref name="silo"/> is gone, answered, or neither within <paramref name="timeout"/>.</summary>
    public async Task<SiloProbeFinding> ProbeAsync(SiloAddress silo, TimeSpan timeout)
    {
        var byPort = PortRefusesAsync(silo.Endpoint, timeout);
        var byOrleans = AskOrleansAsync(silo, timeout);

        // A refused port settles it at once, without waiting for Orleans' answer (which never throws).
        return await byPort && await UsesTcpAsync(timeout) ? SiloProbeFinding.Gone : await byOrleans;
    }

    /// <summary>Whether this silo's own port accepts TCP connections (remembered once it did).</summary>
    private async Task<bool> UsesTcpAsync(TimeSpan timeout) =>
        _tcpTransport || (_tcpTransport = !await PortRefusesAsync(local.SiloAddress.Endpoint, timeout));

    private async Task<bool> PortRefusesAsync(IPEndPoint endpoint, TimeSpan timeout)
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

    /// <summary>Asks the silo's runtime for its statistics: an answer proves the process runs and its messaging works.</summary>
    private async Task<SiloProbeFinding> AskOrleansAsync(SiloAddress silo, TimeSpan timeout)
    {
        try
        {
            await grains.GetGrain<IManagementGrain>(0).GetRuntimeStatistics([silo]).WaitAsync(timeout, time);
            return SiloProbeFinding.Answered;
        }
        catch (Exception e)
        {
            for (var cause = e; cause is not null; cause = cause.InnerException)
            {
                if (cause is ConnectionFailedException or SiloUnavailableException)
                {
                    return SiloProbeFinding.Gone;
                }
            }

            return SiloProbeFinding.Unproven;
        }
    }
}
