using System.Diagnostics;
using System.Globalization;

namespace OrleansLog.Cli.Output;

/// <summary>Shows a running count on stderr when stderr is a terminal (never in pipes or logs).</summary>
internal sealed class ProgressReporter(string verb) : IDisposable
{
    private readonly bool _enabled = !Console.IsErrorRedirected;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _bytes;
    private long _nextUpdateMs = 250;

    public void Report(long records, long bytes)
    {
        _bytes += bytes;
        if (_enabled && _clock.ElapsedMilliseconds >= _nextUpdateMs)
        {
            _nextUpdateMs = _clock.ElapsedMilliseconds + 250;
            Console.Error.Write(string.Create(CultureInfo.InvariantCulture, $"\r{verb} {records:N0} records ({TopicPrinter.Bytes(_bytes)}, {records / Math.Max(_clock.Elapsed.TotalSeconds, 0.001):N0}/s)   "));
        }
    }

    public void Complete(long records)
    {
        if (_enabled)
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"\r{verb} {records:N0} records ({TopicPrinter.Bytes(_bytes)}) in {_clock.Elapsed.TotalSeconds:0.0} s   "));
        }
    }

    public void Dispose()
    {
    }
}
