using System.Security.Cryptography;
using OrleansLog.Server.Persistence;

namespace OrleansLog.Server.Security.Sessions;

/// <summary>
/// Makes the cluster's session key on first use (32 random bytes) and writes it before handing it out, so a key that was
/// used to sign is never lost. Concurrency: not reentrant; the first call writes, the others read.
/// </summary>
public sealed class SessionKeyGrain([PersistentState("session-key", OrleansLogStorage.Name)] IPersistentState<SessionKeyState> state) : Grain, ISessionKeyGrain
{
    public const int KeySize = 32;

    public async Task<byte[]> Key()
    {
        if (state.State.Key.Length != KeySize)
        {
            state.State.Key = RandomNumberGenerator.GetBytes(KeySize);
            await state.WriteStateAsync();
        }

        return state.State.Key;
    }
}
