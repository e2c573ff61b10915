using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Messaging;
using Orleans.Runtime;

namespace OrleansLog.Client.Internal;

/// <summary>
/// The client's gateways, learned from the cluster instead of fixed at start: the configured addresses
/// are only seeds; once connected, every refresh asks the cluster's membership (through the management
/// grain) which brokers are active and takes their gateway endpoints, so a broker that died leaves the
/// list as soon as the cluster declares it dead, and a new or restarted broker joins it. A gateway the
/// client itself saw fail stays out for <see cref="MaxStaleness"/>, longer than the cluster takes to declare
/// a broker dead on any shipped setting, so a dead gateway never re-enters rotation while the list still
/// names it (what <c>UseStaticClustering</c> does after its refresh period). The question goes out under
/// several management grain keys at once and the first answer wins: Orleans routes each grain through a
/// fixed gateway connection, and one that leads to a paused broker (its TCP connection open, nothing
/// answering) would otherwise keep the list from ever dropping that broker. Without any answer (not yet
/// connected, or the cluster busy) it keeps the last list it had.
/// <para>Concurrency: Orleans' gateway manager calls it from one refresh at a time; the list is replaced whole.</para>
/// </summary>
internal sealed partial class ClusterGatewayListProvider(
    IReadOnlyList<IPEndPoint> seeds,
    IServiceProvider services,
    TimeProvider time,
    ILogger<ClusterGatewayListProvider> logger) : IGatewayListProvider
{
    /// <summary>How long the cluster's answer may take before the last list is kept.</summary>
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(2);

    private List<Uri> _known = [.. seeds.Select(s => s.ToGatewayUri())];
    private bool _initialized;

    public TimeSpan MaxStaleness => TimeSpan.FromMinutes(2);

    [Obsolete("Orleans no longer reads it; every provider is updatable.")]
    public bool IsUpdatable => true;

    public Task InitializeGatewayListProvider() => Task.CompletedTask;

    public async Task<IList<Uri>> GetGateways()
    {
        // The first call comes while the client connects: only the seeds can be known.
        if (!_initialized)
        {
            _initialized = true;
            return _known;
        }

        try
        {
            var hosts = await AskAnyGateway(services.GetRequiredService<IClusterClient>());
            var gateways = hosts
                .Where(h => h.Status == SiloStatus.Active && h.ProxyPort > 0)
                .Select(h => SiloAddress.New(new IPEndPoint(h.SiloAddress.Endpoint.Address, h.ProxyPort), 0).ToGatewayUri())
                .ToList();
            if (gateways.Count > 0)
            {
                _known = gateways;
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogAskFailed(e.Message);
        }

        return _known;
    }

    /// <summary>The first answer to the question asked under one more key than there are known gateways (the management grain is a stateless worker: any key is as good).</summary>
    private async Task<MembershipEntry[]> AskAnyGateway(IClusterClient client)
    {
        var asks = Enumerable.Range(0, _known.Count + 1)
            .Select(key => client.GetGrain<IManagementGrain>(key).GetDetailedHosts(onlyActive: true).WaitAsync(AskTimeout, time))
            .ToList();
        Exception? last = null;
        while (asks.Count > 0)
        {
            var answered = await Task.WhenAny(asks);
            asks.Remove(answered);
            if (answered.IsCompletedSuccessfully)
            {
                // The others time out or fail on their own; observed so they do not surface as unobserved.
                foreach (var ask in asks)
                {
                    _ = ask.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                }

                return answered.Result;
            }

            last = answered.Exception?.InnerException ?? last;
        }

        throw last ?? new TimeoutException("No gateway answered.");
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "The cluster did not say which brokers are active ({Reason}); keeping the last gateway list.")]
    private partial void LogAskFailed(string reason);
}
