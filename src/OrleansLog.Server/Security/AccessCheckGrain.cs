using OrleansLog.Security;

namespace OrleansLog.Server.Security;

/// <summary>
/// Answers <see cref="IAccessCheckGrain"/>: the decision is made by <see cref="ClientAccessFilter"/> before the call
/// reaches the grain, so reaching it means the caller holds the ACL. Concurrency: a stateless worker; nothing to share.
/// </summary>
[Orleans.Concurrency.StatelessWorker]
public sealed class AccessCheckGrain : Grain, IAccessCheckGrain
{
    public Task MayWrite(string topic) => Task.CompletedTask;
}
