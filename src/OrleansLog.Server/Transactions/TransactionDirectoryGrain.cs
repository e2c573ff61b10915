using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using OrleansLog.Server.Persistence;
using OrleansLog.Transactions;

namespace OrleansLog.Server.Transactions;

/// <summary>
/// The cluster's transactional ids (see <see cref="ITransactionDirectoryGrain"/>). Only the set of ids is persisted, and
/// only when one appears or expires; when each coordinator is next due (its open transaction's deadline, or its id's
/// expiry) is kept in memory, and a fresh activation treats every id as due, so the first sweep after a silo's death asks
/// each coordinator again.
/// <para>Concurrency: reentrant, because coordinators report to it while it waits on one of them in a sweep (a
/// non-reentrant pair would deadlock). Every in-memory change is synchronous; persistence is chained so writes never overlap.</para>
/// </summary>
[Reentrant]
public sealed partial class TransactionDirectoryGrain(
    [PersistentState("transactions", OrleansLogStorage.Name)] IPersistentState<TransactionDirectoryState> state,
    TimeProvider time,
    ILogger<TransactionDirectoryGrain> logger) : Grain, ITransactionDirectoryGrain
{
    private readonly Dictionary<string, long> _due = new(StringComparer.Ordinal);
    private Task _persisting = Task.CompletedTask;
    private bool _sweeping;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        foreach (var id in state.State.Ids)
        {
            _due[id] = 0;
        }

        return Task.CompletedTask;
    }

    public async Task Report(string transactionalId, long nextCheckMs)
    {
        _due[transactionalId] = nextCheckMs;
        if (state.State.Ids.Add(transactionalId))
        {
            await PersistAsync();
        }
    }

    public Task<ImmutableArray<string>> List() => Task.FromResult(state.State.Ids.Order(StringComparer.Ordinal).ToImmutableArray());

    public async Task<int> SweepDue()
    {
        if (_sweeping)
        {
            return 0;
        }

        _sweeping = true;
        try
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var due = _due.Where(d => d.Value <= now).Select(d => d.Key).ToList();
            var expired = false;
            foreach (var id in due)
            {
                long? next;
                try
                {
                    next = await GrainFactory.GetGrain<ITransactionCoordinatorGrain>(id).Sweep();
                }
                catch (Exception e) when (e is OrleansLogException or TimeoutException or OrleansException)
                {
                    LogSweepFailed(id, e.Message);
                    continue;
                }

                if (next is { } at)
                {
                    _due[id] = at;
                }
                else
                {
                    _due.Remove(id);
                    expired |= state.State.Ids.Remove(id);
                }
            }

            if (expired)
            {
                await PersistAsync();
            }

            return due.Count;
        }
        finally
        {
            _sweeping = false;
        }
    }

    private Task PersistAsync()
    {
        _persisting = WriteAfter(_persisting);
        return _persisting;
    }

    private async Task WriteAfter(Task previous)
    {
        try
        {
            await previous;
        }
        catch (Exception e) when (e is OrleansException or TimeoutException or IOException)
        {
            // That write's caller saw it fail; this one writes the whole set again.
        }

        await state.WriteStateAsync();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Transactional id {Id}: its coordinator could not be swept ({Reason}); the next sweep asks again.")]
    private partial void LogSweepFailed(string id, string reason);
}
