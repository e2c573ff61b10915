using OrleansLog.Storage.IO;

namespace OrleansLog.Silo.Hosting;

/// <summary>Raises the broker's open-file limit at start (<see cref="FileLimit"/>) and says what it plans with.</summary>
public static partial class FileLimitLog
{
    public static void RaiseAndLog(ILogger logger)
    {
        if (FileLimit.RaiseToHardLimit() is var (before, now))
        {
            LogPlanned(logger, now, before);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The broker plans with {Limit} open files (the soft limit was {Before}; raised to the hard limit).")]
    private static partial void LogPlanned(ILogger logger, long limit, long before);
}
