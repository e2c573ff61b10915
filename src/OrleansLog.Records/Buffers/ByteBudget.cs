namespace OrleansLog.Records.Buffers;

/// <summary>
/// A budget of bytes that callers reserve before they hold them and give back afterwards; a caller that
/// finds it spent waits, in arrival order, which is the backpressure. The producer's <c>buffer.memory</c>
/// (records reserve their size until their batch is delivered) and the Kafka listener's
/// <c>queued.max.request.bytes</c> (request frames reserve theirs until answered) are ones. Thread-safe.
/// </summary>
public sealed class ByteBudget(long capacity)
{
    private readonly Lock _lock = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private long _available = capacity;

    public long Capacity { get; } = capacity;

    /// <summary>Reservations waiting for bytes.</summary>
    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _waiters.Count;
            }
        }
    }

    public long Used
    {
        get
        {
            lock (_lock)
            {
                return Capacity - _available;
            }
        }
    }

    /// <summary>Reserves at once when nobody waits and the bytes are free.</summary>
    public bool TryReserve(int bytes)
    {
        lock (_lock)
        {
            if (_waiters.Count == 0 && _available >= bytes)
            {
                _available -= bytes;
                return true;
            }

            return false;
        }
    }

    /// <summary>Waits for the bytes; false after <paramref name="timeout"/>.</summary>
    public async ValueTask<bool> ReserveAsync(int bytes, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Waiter waiter;
        LinkedListNode<Waiter> node;
        lock (_lock)
        {
            if (_waiters.Count == 0 && _available >= bytes)
            {
                _available -= bytes;
                return true;
            }

            waiter = new Waiter(bytes);
            node = _waiters.AddLast(waiter);
        }

        try
        {
            await waiter.Granted.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            lock (_lock)
            {
                if (waiter.Granted.Task.IsCompletedSuccessfully)
                {
                    // Granted in the same instant it timed out: keep it rather than leak it.
                    if (e is TimeoutException)
                    {
                        return true;
                    }

                    _available += bytes;
                }
                else
                {
                    _waiters.Remove(node);
                }
            }

            GrantWaiters();
            if (e is OperationCanceledException)
            {
                throw;
            }

            return false;
        }
    }

    public void Release(int bytes)
    {
        lock (_lock)
        {
            _available += bytes;
        }

        GrantWaiters();
    }

    private void GrantWaiters()
    {
        List<Waiter>? granted = null;
        lock (_lock)
        {
            while (_waiters.First is { } first && _available >= first.Value.Bytes)
            {
                _available -= first.Value.Bytes;
                _waiters.RemoveFirst();
                (granted ??= []).Add(first.Value);
            }
        }

        if (granted is not null)
        {
            foreach (var waiter in granted)
            {
                waiter.Granted.TrySetResult();
            }
        }
    }

    private sealed class Waiter(int bytes)
    {
        public int Bytes { get; } = bytes;

        public TaskCompletionSource Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
