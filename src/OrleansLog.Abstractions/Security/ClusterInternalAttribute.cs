namespace OrleansLog.Security;

/// <summary>
/// Marks a grain interface, or one of its methods, that only the cluster's own silos may call: replication, leadership
/// news, broker registration, housekeeping and the credential lookups of the listeners. A call from a client on an
/// Orleans gateway is refused with CLUSTER_AUTHORIZATION_FAILED before the grain sees it.
/// </summary>
[AttributeUsage(AttributeTargets.Interface | AttributeTargets.Method, Inherited = false)]
public sealed class ClusterInternalAttribute : Attribute;
