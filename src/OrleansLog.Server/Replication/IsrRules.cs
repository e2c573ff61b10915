using System.Collections.Immutable;

namespace OrleansLog.Server.Replication;

/// <summary>
/// The leader's replication arithmetic, as pure functions: the high watermark is the least log end over
/// the ISR (so every in-sync replica holds what a consumer may read); a follower leaves the ISR after
/// <c>replica.lag.time.max.ms</c> without catching up, and comes back once it reaches both the high
/// watermark and the start of the current leader epoch.
/// </summary>
public static class IsrRules
{
    /// <summary>The high watermark the ISR supports: <paramref name="leaderEnd"/> capped by every in-sync follower's log end (-1, unknown, holds it at <paramref name="current"/>).</summary>
    public static long HighWatermark(long current, long leaderEnd, int leader, ImmutableArray<int> isr, IReadOnlyDictionary<int, ReplicaLink> links)
    {
        var hw = leaderEnd;
        foreach (var member in isr)
        {
            if (member == leader)
            {
                continue;
            }

            var end = links.TryGetValue(member, out var link) ? link.LogEndOffset : -1;
            hw = Math.Min(hw, end < 0 ? current : end);
        }

        return Math.Max(hw, current);
    }

    /// <summary>Followers in <paramref name="isr"/> that have lagged longer than <paramref name="maxLag"/>.</summary>
    public static ImmutableArray<int> Lagging(ImmutableArray<int> isr, int leader, IReadOnlyDictionary<int, ReplicaLink> links, TimeProvider time, TimeSpan maxLag) =>
        [.. isr.Where(member => member != leader && links.TryGetValue(member, out var link) && time.GetElapsedTime(link.LastCaughtUp) > maxLag)];

    /// <summary>Whether a follower outside the ISR may rejoin it.</summary>
    public static bool CanRejoin(ReplicaLink link, long highWatermark, long epochStartOffset) =>
        link.LogEndOffset >= highWatermark && link.LogEndOffset >= epochStartOffset;
}
