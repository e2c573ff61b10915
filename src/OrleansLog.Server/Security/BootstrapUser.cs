using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLog.Security;
using OrleansLog.Server.Security.Audit;

namespace OrleansLog.Server.Security;

/// <summary>
/// Creates <see cref="BootstrapUserOptions.User"/> when the silo becomes active and the user has no credential yet; an
/// existing user is left as it is (its password may have been changed since). Runs once per start, from the silo itself,
/// so the store's ACL check does not apply.
/// </summary>
public sealed partial class BootstrapUser(IGrainFactory grains, IOptions<BootstrapUserOptions> options, ILogger<BootstrapUser> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle)
    {
        if (options.Value.User is not null)
        {
            lifecycle.Subscribe(nameof(BootstrapUser), ServiceLifecycleStage.Active, Create);
        }
    }

    private async Task Create(CancellationToken cancellationToken)
    {
        var (user, password) = (options.Value.User!, options.Value.Password!);
        AuditCaller.Set("Broker:bootstrap", "local");
        var store = grains.GetGrain<ICredentialStoreGrain>(ICredentialStoreGrain.ClusterKey);
        if (!(await store.FindAll(user)).IsEmpty)
        {
            return;
        }

        foreach (var mechanism in ScramMechanism.All)
        {
            await store.Upsert(user, ScramCredential.Create(mechanism, password).ToStored());
        }

        LogCreated(user);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the bootstrap user \"{User}\" (a super user).")]
    private partial void LogCreated(string user);
}
