using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using OrleansLog.Security;
using OrleansLog.Server.Security.Audit;
using OrleansLog.Server.Security.Sessions;

namespace OrleansLog.Server.Security;

/// <summary>
/// Gives calls from clients a principal and checks it against the cluster's ACLs, so a native client, the CLI and the web
/// front end are held to the same rules as a Kafka client (one <see cref="AclCache"/>):
/// <list type="bullet">
/// <item>a call that carries a session token (<see cref="SessionContext"/>) runs as the token's principal once its
/// signature and expiry check out; a token that does not is refused with SASL_AUTHENTICATION_FAILED;</item>
/// <item>a client on a gateway without a token is User:ANONYMOUS (the audit trail names it OrleansClient:gateway);</item>
/// <item>a silo's hosted client without a token (the Kafka listener, which checks its own requests) and calls between
/// grains pass: they were checked where they entered the cluster.</item>
/// </list>
/// The principal becomes the audit trail's caller. Methods marked <see cref="RequiresAclAttribute"/> are refused with
/// the resource's AUTHORIZATION_FAILED code; listings marked <see cref="FiltersByAclAttribute"/> keep what the principal
/// may DESCRIBE. With authorization off, only the principal is set.
/// <para>Concurrency: thread-safe; verified tokens are cached (bounded) so a hot produce path checks a signature once.</para>
/// </summary>
public sealed partial class ClientAccessFilter(
    ClusterCallers callers,
    SessionKeys keys,
    AclCache acls,
    AuditLog audit,
    TimeProvider time,
    ILogger<ClientAccessFilter> logger) : IIncomingGrainCallFilter
{
    public const string Anonymous = "User:ANONYMOUS";

    private const int MaxCachedSessions = 10_000;

    private readonly ConcurrentDictionary<string, (string Principal, DateTimeOffset ExpiresAt)> _verified = new(StringComparer.Ordinal);

    public Task Invoke(IIncomingGrainCallContext context)
    {
        // Calls between grains (replication, the coordinator) and the listener's take no state machine here.
        var kind = callers.Classify(context.SourceId);
        var token = kind == CallerKind.Cluster ? null : SessionContext.Token;
        return kind == CallerKind.Cluster || (kind == CallerKind.HostedClient && token is null)
            ? context.Invoke()
            : InvokeAsClient(context, kind, token);
    }

    private async Task InvokeAsClient(IIncomingGrainCallContext context, CallerKind kind, string? token)
    {
        string principal;
        if (token is null)
        {
            // A gateway client without a session: anonymous, and whatever caller it named itself is forgotten.
            principal = Anonymous;
            AuditCaller.Clear();
        }
        else
        {
            principal = await Verify(token);
            AuditCaller.Set(principal, kind == CallerKind.HostedClient ? AuditCaller.Current.Address : "gateway");
        }

        var rule = context.InterfaceMethod is { } method ? GrainAccessRule.For(method) : null;
        if (rule is null || rule.IsOpen || !acls.Enabled)
        {
            await context.Invoke();
            return;
        }

        if (rule.Requires is { } required)
        {
            var name = GrainAccessRule.ResourceName(required.Source, context.TargetId, () => context.Request.GetArgument(0));
            if (!acls.Authorize(principal, "*", required.Operation, required.Type, name)
                && !(required.OrOnCluster != AclOperation.Unknown && acls.Authorize(principal, "*", required.OrOnCluster, AclResourceType.Cluster, AclBinding.ClusterName))
                && !(required.OrWriteOnAnyTopic && acls.AuthorizeAny(principal, "*", AclOperation.Write, AclResourceType.Topic)))
            {
                audit.Denied(principal, "gateway", required.Operation, required.Type, name);
                throw new OrleansLogException(GrainAccessRule.RefusalCode(required.Type), $"{principal} is not authorized to {required.Operation} {required.Type} \"{name}\".");
            }
        }

        await context.Invoke();
        if (rule.Filters is { } filters)
        {
            context.Result = rule.Filter(context.Result, name => acls.Authorize(principal, "*", AclOperation.Describe, filters.Type, name));
        }
    }

    private async ValueTask<string> Verify(string token)
    {
        var now = time.GetUtcNow();
        if (_verified.TryGetValue(token, out var known) && known.ExpiresAt > now)
        {
            return known.Principal;
        }

        if (!SessionToken.TryVerify(token, await keys.Key(), now, out var principal, out var reason))
        {
            audit.AuthenticationFailed("gateway", "gateway", Anonymous, reason);
            LogRefused(reason);
            throw new OrleansLogException(ErrorCode.SaslAuthenticationFailed, $"The call's session is not valid: {reason}.");
        }

        if (_verified.Count >= MaxCachedSessions)
        {
            _verified.Clear();
        }

        _verified[token] = (principal, SessionToken.ExpiresAt(token));
        return principal;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused a client's call: {Reason}.")]
    private partial void LogRefused(string reason);
}
