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

    private static long Clamp(ulong value) => (long)Math.Min(value, long.MaxValue);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getrlimit(int resource, out ResourceLimit limit);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setrlimit(int resource, in ResourceLimit limit);

    /// <summary>struct rlimit: rlim_t is an unsigned 64-bit integer on 64-bit Linux.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct ResourceLimit(ulong Current, ulong Maximum);
}
