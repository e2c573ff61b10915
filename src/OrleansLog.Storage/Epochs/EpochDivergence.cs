using System.Collections.Immutable;
using OrleansLog.Records;

namespace OrleansLog.Storage.Epochs;

/// <summary>
/// Where a follower's log stops agreeing with its leader's (Kafka's leader-epoch end-offset handshake,
/// done in one step because the leader sends its whole epoch list). Two replicas hold the same record
/// at an offset exactly when the same epoch wrote it there: one leader per epoch wrote it, and every
/// replica of that epoch first cut its log to agree with that leader. So the logs agree up to the first
/// offset where the epochs differ, and no further than the shorter log. Pure and thread-safe.
/// </summary>
public static class EpochDivergence
{
    /// <summary>
    /// The offset the follower must truncate its log to. Only offsets both logs still hold are compared
    /// (from the later of the two log starts); the result is never above <paramref name="followerEnd"/>.
    /// </summary>
    public static long TruncationOffset(
        ImmutableArray<EpochEntry> leader, long leaderStart, long leaderEnd,
        ImmutableArray<EpochEntry> follower, long followerStart, long followerEnd)
    {
        var commonEnd = Math.Min(leaderEnd, followerEnd);
        var from = Math.Max(leaderStart, followerStart);
        if (from >= commonEnd)
        {
            return commonEnd;
        }

        // The epoch can only change at an entry's start: checking there (and at the first common offset) is enough.
        if (EpochAt(leader, from) != EpochAt(follower, from))
        {
            return from;
        }

        int l = 0, f = 0;
        while (true)
        {
            while (l < leader.Length && leader[l].StartOffset <= from)
            {
                l++;
            }

            while (f < follower.Length && follower[f].StartOffset <= from)
            {
                f++;
            }

            var next = Math.Min(l < leader.Length ? leader[l].StartOffset : long.MaxValue, f < follower.Length ? follower[f].StartOffset : long.MaxValue);
            if (next >= commonEnd)
            {
                return commonEnd;
            }

            if (EpochAt(leader, next) != EpochAt(follower, next))
            {
                return next;
            }

            from = next;
        }
    }

    /// <summary>The epoch that wrote <paramref name="offset"/>, or -1 when no listed epoch did.</summary>
    public static int EpochAt(ImmutableArray<EpochEntry> entries, long offset)
    {
        var epoch = -1;
        foreach (var entry in entries)
        {
            if (entry.StartOffset > offset)
            {
                break;
            }

            epoch = entry.Epoch;
        }

        return epoch;
    }
}
