using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OrleansLog.Server.Hosting;

/// <summary>
/// A broker's housekeeping that runs one pass every <c>interval</c> on the injected clock (retention, group
/// expiry, checkpoints): a pass that fails is logged and the next one runs on time; stopping the broker
/// stops the loop. Passes never overlap.
/// </summary>
public abstract partial class PeriodicPass(TimeSpan interval, TimeProvider time, ILogger logger) : BackgroundService
{
    /// <summary>One pass; also callable directly (tests, or a last pass at stop).</summary>
    /// <summary>The clock the passes run on.</summary>
    protected TimeProvider Time { get; } = time;

    protected abstract Task PassAsync();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, Time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await PassAsync();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogPassFailed(e, GetType().Name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Pass} failed; it runs again at the next interval.")]
    private partial void LogPassFailed(Exception error, string pass);
}
