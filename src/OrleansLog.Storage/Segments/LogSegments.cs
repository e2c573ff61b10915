using System.Collections.Immutable;

namespace OrleansLog.Storage.Segments;

/// <summary>Searches over a log's ordered segments. Stateless.</summary>
internal static class LogSegments
{
    /// <summary>The index of the last segment whose base offset is at most <paramref name="offset"/> (0 when none is).</summary>
    public static int Floor(ImmutableArray<LogSegment> segments, long offset)
    {
        int low = 0, high = segments.Length - 1, found = 0;
        while (low <= high)
        {
            var mid = (low + high) >>> 1;
            if (segments[mid].BaseOffset <= offset)
            {
                found = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        return found;
    }
}
