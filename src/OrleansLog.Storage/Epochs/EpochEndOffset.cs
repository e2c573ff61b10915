using System.Collections.Immutable;
using OrleansLog.Records;

namespace OrleansLog.Storage.Epochs;

/// <summary>
/// Kafka's OffsetForLeaderEpoch answer: for a requested epoch, the largest epoch not above it that this log
/// has and the offset where that epoch ended (the start of the next epoch, or the log end for the latest),
/// so a consumer or follower can tell whether its log diverged. (-1, -1) when the epoch is undefined or
/// newer than every epoch here. Pure and thread-safe.
/// </summary>
public readonly record struct EpochEndOffset(int LeaderEpoch, long EndOffset)
{
    public static readonly EpochEndOffset Undefined = new(-1, -1);

    /// <summary><paramref name="entries"/> ordered by epoch, as a <see cref="LeaderEpochCache"/> holds them.</summary>
    public static EpochEndOffset For(ImmutableArray<EpochEntry> entries, int requestedEpoch, long logEndOffset)
    {
        if (requestedEpoch < 0 || entries.IsDefaultOrEmpty)
        {
            return Undefined;
        }

        if (requestedEpoch == entries[^1].Epoch)
        {
            return new EpochEndOffset(requestedEpoch, logEndOffset);
        }

        for (var i = 0; i < entries.Length; i++)
        {
            if (entries[i].Epoch > requestedEpoch)
            {
                // The epoch that wrote before this entry: the floor of the requested one (or the requested one itself when older than all).
                return new EpochEndOffset(i == 0 ? requestedEpoch : entries[i - 1].Epoch, entries[i].StartOffset);
            }
        }

        return Undefined;
    }
}
