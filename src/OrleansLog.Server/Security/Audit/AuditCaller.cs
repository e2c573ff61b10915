namespace OrleansLog.Server.Security.Audit;

/// <summary>
/// Who asks for an admin change, carried with the grain calls that make it (Orleans' request context): the Kafka
/// listener sets it for admin APIs, so the grain that makes the change can name the caller in its audit event.
/// Calls that carry none come from a native client on the gateway.
/// </summary>
public static class AuditCaller
{
    private const string PrincipalKey = "orleanslog.principal";
    private const string AddressKey = "orleanslog.address";

    /// <summary>How a caller without a principal is named: a client of the Orleans gateway.</summary>
    public const string GatewayClient = "OrleansClient:gateway";

    /// <summary>Names the caller of the grain calls made from here on in this flow.</summary>
    public static void Set(string principal, string address)
    {
        RequestContext.Set(PrincipalKey, principal);
        RequestContext.Set(AddressKey, address);
    }

    /// <summary>Forgets a caller named in this flow (a client must not name itself; see <see cref="ClientAccessFilter"/>).</summary>
    public static void Clear()
    {
        if (RequestContext.Get(PrincipalKey) is not null)
        {
            RequestContext.Remove(PrincipalKey);
            RequestContext.Remove(AddressKey);
        }
    }

    public static (string Principal, string Address) Current =>
        (RequestContext.Get(PrincipalKey) as string ?? GatewayClient, RequestContext.Get(AddressKey) as string ?? "unknown");
}
