using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using OrleansLog.Groups;
using OrleansLog.Server.Persistence;

namespace OrleansLog.Server.Groups;

/// <summary>
/// One shard of the group directory (see <see cref="IConsumerGroupDirectoryGrain"/>). Concurrency: not
/// reentrant, changes persist one at a time; a group registers once per activation and is checked for
/// expiry about once per retention period, so this is off every hot path.
/// </summary>
public sealed partial class ConsumerGroupDirectoryGrain(
    [PersistentState("groups", OrleansLogStorage.Name)] IPersistentState<ConsumerGroupDirectoryState> state,
    TimeProvider time,
    ILogger<ConsumerGroupDirectoryGrain> logger) : Grain, IConsumerGroupDirectoryGrain
{
    private Dictionary<string, long> Groups => state.State.Groups;

    public async Task Register(string groupId, long checkAtMs)
    {
        if (!Groups.ContainsKey(groupId))
        {
            var before = Copy();
            Groups[groupId] = checkAtMs;
            await state.WriteOrRestoreAsync(before, $"the registration of group \"{groupId}\"");
        }
    }

    public async Task Unregister(string groupId)
    {
        var before = Copy();
        if (Groups.Remove(groupId))
        {
            await state.WriteOrRestoreAsync(before, $"the removal of group \"{groupId}\"");
        }
    }

    public Task<ImmutableArray<string>> List() => Task.FromResult(Groups.Keys.Order(StringComparer.Ordinal).ToImmutableArray());

    public async Task<int> ExpireIdleGroups()
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var due = Groups.Where(g => g.Value <= now).Select(g => g.Key).ToList();
        if (due.Count == 0)
        {
            return 0;
        }

        var before = Copy();
        var expired = 0;
        foreach (var groupId in due)
        {
            if (await GrainFactory.GetGrain<IConsumerGroupGrain>(groupId).ExpireIfIdle() is { } next)
            {
                Groups[groupId] = next;
            }
            else
            {
                Groups.Remove(groupId);
                expired++;
                LogExpired(groupId);
            }
        }

        await state.WriteOrRestoreAsync(before, "the expiry of idle groups");
        return expired;
    }

    private ConsumerGroupDirectoryState Copy() => new() { Groups = new(Groups, StringComparer.Ordinal) };

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {Group}: its committed offsets expired (no member for offsets.retention.minutes); the group is removed.")]
    private partial void LogExpired(string group);
}
