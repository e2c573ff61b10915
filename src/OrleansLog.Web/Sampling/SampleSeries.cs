namespace OrleansLog.Web.Sampling;

/// <summary>The last N samples of one value, oldest first. Thread-safe.</summary>
public sealed class SampleSeries(int capacity)
{
    private readonly Queue<Sample> _samples = new();

    public void Add(Sample sample)
    {
        lock (_samples)
        {
            _samples.Enqueue(sample);
            while (_samples.Count > capacity)
            {
                _samples.Dequeue();
            }
        }
    }

    public IReadOnlyList<Sample> Snapshot()
    {
        lock (_samples)
        {
            return [.. _samples];
        }
    }
}
