namespace OrleansLog.Connect.Runtime;

/// <summary>
/// Spreads tasks over the live silos, as Kafka Connect's incremental cooperative assignor does: a task stays where it
/// runs while its silo lives and holds no more than its share; the tasks of a dead silo, and a loaded silo's excess,
/// go to the least loaded silos, so after any change the counts differ by at most one and few tasks move.
/// Pure: no state, thread-safe.
/// </summary>
public static class TaskAssignor
{
    /// <summary>Where each of <paramref name="tasks"/> runs next, given where they ran (<paramref name="previous"/>, possibly stale).</summary>
    public static Dictionary<TKey, TSilo> Assign<TKey, TSilo>(IReadOnlyCollection<TKey> tasks, IReadOnlyList<TSilo> silos, IReadOnlyDictionary<TKey, TSilo> previous)
        where TKey : notnull
        where TSilo : notnull
    {
        var result = new Dictionary<TKey, TSilo>();
        if (silos.Count == 0)
        {
            return result;
        }

        // Silos that may hold one more than the floor: those already holding most keep their extra.
        var floor = tasks.Count / silos.Count;
        var extras = tasks.Count % silos.Count;
        var load = silos.ToDictionary(s => s, _ => new List<TKey>());
        var homeless = new List<TKey>();
        foreach (var task in tasks)
        {
            if (previous.TryGetValue(task, out var silo) && load.TryGetValue(silo, out var held))
            {
                held.Add(task);
            }
            else
            {
                homeless.Add(task);
            }
        }

        var order = silos.Select((silo, index) => (silo, index)).OrderByDescending(s => load[s.silo].Count).ThenBy(s => s.index).Select(s => s.silo).ToList();
        foreach (var silo in order)
        {
            var share = floor + (extras > 0 && load[silo].Count > floor ? 1 : 0);
            if (share > floor)
            {
                extras--;
            }

            var held = load[silo];
            if (held.Count > share)
            {
                homeless.AddRange(held.Skip(share));
                held.RemoveRange(share, held.Count - share);
            }
        }

        foreach (var task in homeless)
        {
            var target = silos.Select((silo, index) => (silo, index)).OrderBy(s => load[s.silo].Count).ThenBy(s => s.index).First().silo;
            load[target].Add(task);
        }

        foreach (var (silo, held) in load)
        {
            foreach (var task in held)
            {
                result[task] = silo;
            }
        }

        return result;
    }
}
