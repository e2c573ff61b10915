using System.Collections.Immutable;
using Orleans.Serialization;
using OrleansLog.Security;
using OrleansLog.Server.Persistence;
using OrleansLog.Server.Security.Audit;

namespace OrleansLog.Server.Security;

/// <summary>
/// The cluster's users (see <see cref="ICredentialStoreGrain"/>). Changes are checked (a user name, a known mechanism,
/// Kafka's iteration bounds, keys of the mechanism's hash size) and written before they are answered; a write that fails
/// leaves the state as it was. Concurrency: not reentrant for changes; lookups interleave.
/// </summary>
public sealed class CredentialStoreGrain(
    [PersistentState("credentials", OrleansLogStorage.Name)] IPersistentState<CredentialStoreState> state,
    DeepCopier copier,
    AuditLog audit) : Grain, ICredentialStoreGrain
{
    public const int MaxUserLength = 256;

    public Task<StoredScramCredential?> Find(string user, string mechanism) =>
        Task.FromResult(state.State.Users.GetValueOrDefault(user)?.GetValueOrDefault(mechanism));

    public Task<ImmutableArray<StoredScramCredential>> FindAll(string user) =>
        Task.FromResult(state.State.Users.GetValueOrDefault(user)?.Values.OrderBy(c => c.Mechanism, StringComparer.Ordinal).ToImmutableArray() ?? []);

    public Task Upsert(string user, StoredScramCredential credential) =>
        audit.Change("SetUserCredential", $"User:{user}", () => UpsertCore(user, credential));

    private async Task UpsertCore(string user, StoredScramCredential credential)
    {
        Check(user, credential);
        var before = copier.Copy(state.State);
        if (!state.State.Users.TryGetValue(user, out var credentials))
        {
            state.State.Users[user] = credentials = new Dictionary<string, StoredScramCredential>(StringComparer.Ordinal);
        }

        credentials[credential.Mechanism] = credential;
        await state.WriteOrRestoreAsync(before, $"the credential of user \"{user}\"");
    }

    public Task<bool> Delete(string user, string mechanism) =>
        audit.Change("DeleteUserCredential", $"User:{user}", () => DeleteCore(user, mechanism));

    private async Task<bool> DeleteCore(string user, string mechanism)
    {
        if (!state.State.Users.TryGetValue(user, out var credentials) || !credentials.ContainsKey(mechanism))
        {
            return false;
        }

        var before = copier.Copy(state.State);
        credentials.Remove(mechanism);
        if (credentials.Count == 0)
        {
            state.State.Users.Remove(user);
        }

        await state.WriteOrRestoreAsync(before, $"the deletion of a credential of user \"{user}\"");
        return true;
    }

    public Task<ImmutableArray<ScramCredentialInfo>> Describe(ImmutableArray<string> users) =>
        Task.FromResult(state.State.Users
            .Where(u => users.IsDefaultOrEmpty || users.Contains(u.Key))
            .SelectMany(u => u.Value.Values.Select(c => new ScramCredentialInfo(u.Key, c.Mechanism, c.Iterations)))
            .OrderBy(i => i.User, StringComparer.Ordinal).ThenBy(i => i.Mechanism, StringComparer.Ordinal)
            .ToImmutableArray());

    private static void Check(string user, StoredScramCredential credential)
    {
        if (string.IsNullOrEmpty(user) || user.Length > MaxUserLength || user.Any(char.IsControl))
        {
            throw new OrleansLogException(ErrorCode.UnacceptableCredential, $"A user name must be 1 to {MaxUserLength} characters without control characters.");
        }

        if (ScramMechanism.Find(credential.Mechanism) is not { HashSize: var size })
        {
            throw new OrleansLogException(ErrorCode.UnsupportedSaslMechanism, $"Unknown SCRAM mechanism \"{credential.Mechanism}\": use {string.Join(" or ", ScramMechanism.All.Select(m => m.Name))}.");
        }

        if (credential.Iterations is < ScramMechanism.MinIterations or > ScramMechanism.MaxIterations)
        {
            throw new OrleansLogException(ErrorCode.UnacceptableCredential, $"SCRAM iterations must be between {ScramMechanism.MinIterations} and {ScramMechanism.MaxIterations}, not {credential.Iterations}.");
        }

        if (credential.StoredKey.Length != size || credential.ServerKey.Length != size || credential.Salt.Length is 0 or > 1024)
        {
            throw new OrleansLogException(ErrorCode.UnacceptableCredential, $"A {credential.Mechanism} credential needs {size}-byte keys and a salt of 1 to 1,024 bytes.");
        }
    }
}
