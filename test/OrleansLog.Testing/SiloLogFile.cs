using Microsoft.Extensions.Logging;

namespace OrleansLog.Testing;

/// <summary>
/// For a local diagnosis of an in-process TestCluster (set <c>ORLEANSLOG_SILO_LOG</c> to a file): every silo's
/// OrleansLog messages from Information and Orleans' from Warning, appended to one file with a timestamp.
/// This is how the port probe's false fencing in the randomized fault test was found.
/// </summary>
public sealed class SiloLogFile(string path) : ILoggerProvider
{
    private static readonly object Gate = new();

    public ILogger CreateLogger(string categoryName) => new Logger(path, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(string path, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information && (category.StartsWith("OrleansLog", StringComparison.Ordinal) || logLevel >= LogLevel.Warning);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var line = $"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)} {exception?.GetType().Name} {exception?.Message}\n";
            lock (Gate)
            {
                File.AppendAllText(path, line);
            }
        }
    }
}
