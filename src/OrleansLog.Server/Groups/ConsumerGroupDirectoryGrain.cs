using System.Collections.Immutable;
using OrleansLog.Groups;
using OrleansLog.Server.Persistence;

namespace OrleansLog.Server.Groups;

/// <summary>
/// The list of groups (see <see cref="IConsumerGroupDirectoryGrain"/>). Concurrency: not reentrant,
/// changes persist one at a time; a group registers once per activation, so this is off the hot path.
/// </summary>
public sealed class ConsumerGroupDirectoryGrain(
    [PersistentState("groups", OrleansLogStorage.Name)] IPersistentState<ConsumerGroupDirectoryState> state) : Grain, IConsumerGroupDirectoryGrain
{
    public async Task Register(string groupId)
    {
        var before = Copy();
        if (state.State.GroupIds.Add(groupId))
        {
            await state.WriteOrRestoreAsync(before, $"the registration of group \"{groupId}\"");
        }
    }

    public async Task Unregister(string groupId)
    {
        var before = Copy();
        if (state.State.GroupIds.Remove(groupId))
        {
            await state.WriteOrRestoreAsync(before, $"the removal of group \"{groupId}\"");
        }
    }

    public Task<ImmutableArray<string>> List() => Task.FromResult(state.State.GroupIds.ToImmutableArray());

    private ConsumerGroupDirectoryState Copy() => new() { GroupIds = new(state.State.GroupIds, StringComparer.Ordinal) };
}
