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
/// Thread-safe: reads the membership snapshot.
/// </summary>
public sealed class ClusterCallers(IClusterMembershipService membership)
{
    private const string HostedClientPrefix = "hosted-";

    public CallerKind Classify(GrainId? source)
    {
        if (source is not { } id || !id.IsClient())
        {
            return CallerKind.Cluster;
        }

        var key = id.Key.ToString();
        if (!key.StartsWith(HostedClientPrefix, StringComparison.Ordinal))
        {
            return CallerKind.OutsideClient;
        }

        try
        {
            var silo = SiloAddress.FromParsableString(key[HostedClientPrefix.Length..]);
            return membership.CurrentSnapshot.Members.ContainsKey(silo) ? CallerKind.HostedClient : CallerKind.OutsideClient;
        }
        catch (FormatException)
        {
            return CallerKind.OutsideClient;
        }
    }
}
