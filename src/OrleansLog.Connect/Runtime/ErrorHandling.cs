using Microsoft.Extensions.Logging;
using OrleansLog.Connect.Config;
using OrleansLog.Connect.Plugins;

namespace OrleansLog.Connect.Runtime;

/// <summary>
/// A task's handling of failures, with Kafka Connect's settings: a <see cref="RetriableConnectException"/> from the
/// outside system is retried with a backoff that doubles from 300 ms up to <c>errors.retry.delay.max.ms</c>, for at most
/// <c>errors.retry.timeout</c> (-1: for ever); a record that cannot be converted or transformed fails the task unless
/// <c>errors.tolerance=all</c>, in which case it is skipped (and a sink sends it to its dead-letter topic).
/// Used by one task loop: not thread-safe.
/// </summary>
public sealed partial class ErrorHandling(ConnectConfig config, TimeProvider time, ILogger logger, string task)
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(300);

    private readonly bool _tolerateAll = config.GetString(ConnectorConfigs.Tolerance) == "all";
    private readonly long _retryTimeoutMs = config.GetLong(ConnectorConfigs.RetryTimeout);
    private readonly TimeSpan _maxDelay = TimeSpan.FromMilliseconds(config.GetLong(ConnectorConfigs.RetryDelayMax));
    private readonly bool _log = config.GetBool(ConnectorConfigs.LogEnable);

    /// <summary>Records skipped under <c>errors.tolerance=all</c>.</summary>
    public long Skipped { get; private set; }

    public async Task RetryAsync(Func<Task> operation, string stage, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var delay = FirstDelay;
        while (true)
        {
            try
            {
                await operation();
                return;
            }
            catch (RetriableConnectException e) when (_retryTimeoutMs < 0 || time.GetElapsedTime(started).TotalMilliseconds + delay.TotalMilliseconds <= _retryTimeoutMs)
            {
                if (_log)
                {
                    LogRetry(e, task, stage, delay);
                }

                await Task.Delay(delay, time, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _maxDelay.Ticks));
            }
        }
    }

    /// <summary>Whether a record whose <paramref name="stage"/> failed with <paramref name="error"/> is skipped (else the task fails).</summary>
    public bool Tolerates(Exception error, string stage)
    {
        if (_log)
        {
            LogRecordFailed(error, task, stage);
        }

        if (!_tolerateAll)
        {
            return false;
        }

        Skipped++;
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {Task}: {Stage} failed; retrying in {Delay}.")]
    private partial void LogRetry(Exception error, string task, string stage, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {Task}: a record failed at {Stage}.")]
    private partial void LogRecordFailed(Exception error, string task, string stage);
}
