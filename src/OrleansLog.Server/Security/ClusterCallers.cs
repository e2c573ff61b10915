using System.Collections.Concurrent;

namespace OrleansLog.Server.Security;

/// <summary>Who made a grain call, as far as the cluster's rules care.</summary>
public enum CallerKind
{
    /// <summary>A grain or the runtime: a call already inside the cluster.</summary>
    Cluster,

    /// <summary>The client hosted in a silo of this cluster (the Kafka listener, the web front end, the silo's services).</summary>
    HostedClient,

    /// <summary>A client on a gateway.</summary>
    OutsideClient,
}

/// <summary>
/// Tells grain calls from inside the cluster from calls of clients. A silo's hosted client has the key
/// "hosted-{silo}", and counts as hosted only while that silo is in the membership table. The id is what the caller's
/// connection claims: mutual TLS on the gateways is what keeps out clients that forge it.
/// Thread-safe: reads the membership snapshot; the parsed silos of hosted clients are kept in a concurrent map.
/// </summary>
public sealed class ClusterCallers(IClusterMembershipService membership)
{
    private const string HostedClientPrefix = "hosted-";

    /// <summary>Past this many hosted-client ids remembered (silos come and go over months), the map starts again.</summary>
    private const int MaxRemembered = 256;

    /// <summary>
    /// The silo each hosted client id names, parsed once: every call of the Kafka listener and the web front end
    /// is classified, and parsing the id took a string and a silo address per call.
    /// </summary>
    private readonly ConcurrentDictionary<GrainId, SiloAddress> _hostedSilos = new();

    public CallerKind Classify(GrainId? source)
    {
        if (source is not { } id || !id.IsClient())
        {
            return CallerKind.Cluster;
        }

        if (_hostedSilos.TryGetValue(id, out var known))
        {
            return membership.CurrentSnapshot.Members.ContainsKey(known) ? CallerKind.HostedClient : CallerKind.OutsideClient;
        }

        var key = id.Key.ToString();
        if (!key.StartsWith(HostedClientPrefix, StringComparison.Ordinal))
        {
            return CallerKind.OutsideClient;
        }

        SiloAddress silo;
        try
        {
            silo = SiloAddress.FromParsableString(key[HostedClientPrefix.Length..]);
        }
        catch (FormatException)
        {
            return CallerKind.OutsideClient;
        }

        if (!membership.CurrentSnapshot.Members.ContainsKey(silo))
        {
            return CallerKind.OutsideClient;
        }

        // Only ids of member silos are remembered, so clients making up ids cannot grow the map.
        if (_hostedSilos.Count >= MaxRemembered)
        {
            _hostedSilos.Clear();
        }

        _hostedSilos[id] = silo;
        return CallerKind.HostedClient;
    }
}
