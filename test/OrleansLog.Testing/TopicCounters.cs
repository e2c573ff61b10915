using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace OrleansLog.Testing;

/// <summary>Listens to the broker meter's counters in this process (the TestCluster's silos) and sums those of one topic.</summary>
public sealed class TopicCounters : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _totals = new();

    public TopicCounters(string topic, params string[] instruments)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "OrleansLog" && instruments.Contains(instrument.Name))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "topic" && Equals(tag.Value, topic))
                {
                    _totals.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value);
                }
            }
        });
        _listener.Start();
    }

    public long Total(string instrument) => _totals.GetValueOrDefault(instrument);

    public void Dispose() => _listener.Dispose();
}
