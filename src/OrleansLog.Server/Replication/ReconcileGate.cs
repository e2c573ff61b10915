namespace OrleansLog.Server.Replication;

/// <summary>
/// Bounds how many of this silo's leaders reconcile with one follower broker at a time. A reconcile is a follower's
/// first call in a term, and on a broker that just came back it activates the follower grain and opens its log: when
/// 20,000 leaders called a returning broker at once, its silo stalled for seconds and its peers declared it dead before it
/// was ready. The rest wait here, in order; pushes to followers already reconciled are not held back.
/// Thread-safe: one semaphore per follower broker.
/// </summary>
public sealed class ReconcileGate
{
    /// <summary>Reconciles in flight from this silo to one broker.</summary>
    public const int PerBroker = 16;

    private readonly Dictionary<int, SemaphoreSlim> _gates = [];
    private readonly Lock _lock = new();

    /// <summary>Waits for a turn to reconcile with <paramref name="broker"/>; disposing the result ends the turn.</summary>
    public async Task<IDisposable> EnterAsync(int broker)
    {
        SemaphoreSlim gate;
        lock (_lock)
        {
            if (!_gates.TryGetValue(broker, out gate!))
            {
                _gates[broker] = gate = new SemaphoreSlim(PerBroker, PerBroker);
            }
        }

        await gate.WaitAsync();
        return new Turn(gate);
    }

    private sealed class Turn(SemaphoreSlim gate) : IDisposable
    {
        private SemaphoreSlim? _gate = gate;

        public void Dispose() => Interlocked.Exchange(ref _gate, null)?.Release();
    }
}
