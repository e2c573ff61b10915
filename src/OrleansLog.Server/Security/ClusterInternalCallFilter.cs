using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.Logging;
using OrleansLog.Security;

namespace OrleansLog.Server.Security;

/// <summary>
/// Refuses calls from Orleans clients to grain methods marked <see cref="ClusterInternalAttribute"/> (or on interfaces so
/// marked), and to the methods of Orleans' <see cref="IManagementGrain"/> that change the runtime, with CLUSTER_AUTHORIZATION_FAILED, before the grain runs them. A call is the cluster's own when it comes from
/// a grain, from the runtime, or from the client hosted in a silo of this cluster (the Kafka listener, the web front end
/// and the silo's services call through it); a client on a gateway is not. The caller's id is what its connection
/// claims, so this keeps well-behaved clients away from the internals; a client that forges its id is kept out by
/// mutual TLS on the gateway.
/// <para>Concurrency: thread-safe; which methods are internal is cached per method.</para>
/// </summary>
public sealed partial class ClusterInternalCallFilter(ClusterCallers callers, ILogger<ClusterInternalCallFilter> logger) : IIncomingGrainCallFilter
{
    private static readonly ConcurrentDictionary<MethodInfo, bool> Internal = new();

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.InterfaceMethod is { } method && IsInternal(method) && callers.Classify(context.SourceId) == CallerKind.OutsideClient)
        {
            LogRefused(context.SourceId.ToString()!, $"{method.DeclaringType?.Name}.{method.Name}", context.TargetId.ToString());
            throw new OrleansLogException(ErrorCode.ClusterAuthorizationFailed, $"{method.DeclaringType?.Name}.{method.Name} is internal to the cluster: only its silos may call it.");
        }

        return context.Invoke();
    }

    /// <summary>Whether <paramref name="method"/>, or the interface declaring it, is marked internal.</summary>
    public static bool IsInternal(MethodInfo method) =>
        Internal.GetOrAdd(method, static m => m.IsDefined(typeof(ClusterInternalAttribute), inherit: false) || m.DeclaringType?.IsDefined(typeof(ClusterInternalAttribute), inherit: false) == true
            || IsManagementChange(m));

    /// <summary>
    /// Orleans' management grain: clients read hosts and statistics through it (the client's gateway list does), but what
    /// changes the runtime (forced collections, control commands, version strategies) is the cluster's own.
    /// </summary>
    private static bool IsManagementChange(MethodInfo method) =>
        method.DeclaringType == typeof(IManagementGrain) && !method.Name.StartsWith("Get", StringComparison.Ordinal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Caller}'s call to {Method} on {Target}: only silos may call it.")]
    private partial void LogRefused(string caller, string method, string target);
}
