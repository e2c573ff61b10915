using System.Runtime.InteropServices;

namespace OrleansLog.Storage.IO;

/// <summary>
/// The process's open-file limit (RLIMIT_NOFILE). A broker raises its soft limit to the hard limit at start, as
/// Kafka's packaging asks operators to do by hand: the broker bounds its open logs itself, and the limit is what
/// it plans with.
/// </summary>
public static partial class FileLimit
{
    private const int NoFile = 7; // RLIMIT_NOFILE on Linux

    /// <summary>
    /// Raises the soft limit to the hard limit; returns the soft limit before and now, or null where it cannot be
    /// read (not Linux). A refused raise leaves the limit as it was.
    /// </summary>
    public static (long Before, long Now)? RaiseToHardLimit()
    {
        if (!OperatingSystem.IsLinux() || getrlimit(NoFile, out var limit) != 0)
        {
            return null;
        }

        var before = limit.Current;
        if (limit.Current < limit.Maximum)
        {
            var raised = limit with { Current = limit.Maximum };
            if (setrlimit(NoFile, in raised) == 0)
            {
                limit = raised;
            }
        }

        return (Clamp(before), Clamp(limit.Current));
    }

    /// <summary>The soft limit in force, or null where it cannot be read.</summary>
    public static long? Current() => OperatingSystem.IsLinux() && getrlimit(NoFile, out var limit) == 0 ? Clamp(limit.Current) : null;

    /// <summary>Files and sockets this process has open now, or null where it cannot be counted.</summary>
    public static int? OpenNow() => Directory.Exists("/proc/self/fd") ? Directory.GetFileSystemEntries("/proc/self/fd").Length : null;

    /// <summary>
    /// How many segment files to keep open at once: <paramref name="configured"/>, but no more than half of what the
    /// file limit leaves beside the files and sockets already open, so connections, checkpoints and the runtime
    /// itself always find a handle (a process out of handles can die in the runtime, beyond any catch). At least 16.
    /// </summary>
    public static int SegmentFileBudget(int configured, long? limit, int? openNow) =>
        limit is { } l && openNow is { } open ? (int)Math.Clamp(Math.Min(configured, (l - open) / 2), 16, configured) : configured;

    private static long Clamp(ulong value) => (long)Math.Min(value, long.MaxValue);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getrlimit(int resource, out ResourceLimit limit);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setrlimit(int resource, in ResourceLimit limit);

    /// <summary>struct rlimit: rlim_t is an unsigned 64-bit integer on 64-bit Linux.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct ResourceLimit(ulong Current, ulong Maximum);
}
