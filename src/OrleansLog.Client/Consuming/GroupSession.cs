using System.Collections.Immutable;
using OrleansLog.Client.Internal;
using OrleansLog.Groups;
using OrleansLog.Partitions;

namespace OrleansLog.Client.Consuming;

/// <summary>
/// A consumer's membership in its group, run in the background like Kafka's heartbeat thread: joins,
/// heartbeats every <c>heartbeat.interval.ms</c> (sooner while partitions move), and rejoins after its
/// session expired. It only records what the group says (<see cref="TakeChange"/>); the consumer applies
/// changes on its own thread, calls the rebalance handlers, and reports back with
/// <see cref="SetApplied"/>. What it reports as held is what it applied plus what it was told, so the
/// group never hands a partition this member may still consume to another.
/// </summary>
internal sealed class GroupSession : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly WakeSignal _wake = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly IConsumerGroupGrain _group;
    private readonly ConsumerConfig _config;
    private readonly ImmutableArray<string> _topics;
    private readonly Action _onChange;
    private readonly TimeProvider _time;
    private readonly Task _loop;
    private ImmutableHashSet<TopicPartition> _applied = [];
    private ImmutableHashSet<TopicPartition> _told = [];
    private bool _changed;
    private bool _lost;
    private ErrorCode _fatal;
    private string? _fatalMessage;

    public GroupSession(IGrainFactory grains, ConsumerConfig config, ImmutableArray<string> topics, Action onChange, TimeProvider time)
    {
        _group = grains.GetGrain<IConsumerGroupGrain>(config.GroupId!);
        _config = config;
        _topics = topics;
        _onChange = onChange;
        _time = time;
        _loop = Task.Run(RunAsync);
    }

    public string? MemberId { get; private set; }

    public int Generation { get; private set; } = -1;

    public IConsumerGroupGrain Group => _group;

    /// <summary>The assignment to apply, when it changed since the last call; <paramref name="lost"/> says the old one was lost (the session expired).</summary>
    public bool TakeChange(out ImmutableHashSet<TopicPartition> assignment, out bool lost)
    {
        lock (_lock)
        {
            if (_fatal != ErrorCode.None)
            {
                throw new OrleansLogException(_fatal, _fatalMessage!);
            }

            assignment = _told;
            lost = _lost;
            var changed = _changed;
            _changed = false;
            _lost = false;
            return changed;
        }
    }

    /// <summary>The consumer could not apply the last change (the group was unreachable): hand it out again on the next take.</summary>
    public void ChangeAgain()
    {
        lock (_lock)
        {
            _changed = true;
        }
    }

    /// <summary>The consumer applied <paramref name="assignment"/> (and released the rest): tell the group soon.</summary>
    public void SetApplied(ImmutableHashSet<TopicPartition> assignment)
    {
        lock (_lock)
        {
            _applied = assignment;
        }

        _wake.Set();
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _wake.Set();
        await _loop.ConfigureAwait(false);
        if (MemberId is { } memberId)
        {
            try
            {
                await _group.Leave(memberId).WaitAsync(_config.RequestTimeout).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The session times out on its own if the leave did not arrive.
            }
        }
    }

    private async Task RunAsync()
    {
        var token = _stop.Token;
        var pending = false;
        while (!token.IsCancellationRequested)
        {
            try
            {
                pending = MemberId is null ? await JoinAsync().ConfigureAwait(false) : await HeartbeatAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The coordinator is unreachable (or moving to another silo): keep trying; the session may
                // expire meanwhile. A call that fails while the consumer closes is of no interest either.
                pending = false;
            }

            var interval = pending ? TimeSpan.FromMilliseconds(Math.Min(100, _config.HeartbeatInterval.TotalMilliseconds)) : _config.HeartbeatInterval;
            // DisposeAsync sets the signal after cancelling, so this wait needs no token.
            await _wake.WaitAsync(interval, _time, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task<bool> JoinAsync()
    {
        var response = await _group.Join(new JoinGroupRequest(null, _config.ClientId, _topics, (int)_config.SessionTimeout.TotalMilliseconds, _config.PartitionAssignmentStrategy))
            .WaitAsync(_config.RequestTimeout).ConfigureAwait(false);
        if (response.Error != ErrorCode.None)
        {
            lock (_lock)
            {
                _fatal = response.Error;
                _fatalMessage = response.ErrorMessage ?? response.Error.KafkaName();
            }

            _onChange();
            _stop.Cancel();
            return false;
        }

        MemberId = response.MemberId;
        Generation = response.Generation;
        Record(response.Assignment, lost: false);
        return true;
    }

    private async Task<bool> HeartbeatAsync()
    {
        ImmutableHashSet<TopicPartition> held;
        lock (_lock)
        {
            held = _applied.Union(_told);
        }

        // Bounded by request.timeout.ms: a heartbeat lost with a dead silo must not hold the session for the runtime's 30 s.
        var response = await _group.Heartbeat(new HeartbeatRequest(MemberId!, Generation, [.. held])).WaitAsync(_config.RequestTimeout).ConfigureAwait(false);
        if (response.Error == ErrorCode.UnknownMemberId)
        {
            // The group expired this member: whatever it held is someone else's now.
            MemberId = null;
            Generation = -1;
            Record([], lost: true);
            return true;
        }

        Generation = response.Generation;
        Record(response.Assignment, lost: false);
        return response.Pending;
    }

    private void Record(ImmutableArray<TopicPartition> assignment, bool lost)
    {
        var told = assignment.ToImmutableHashSet();
        bool changed;
        lock (_lock)
        {
            changed = lost || !told.SetEquals(_told);
            if (changed)
            {
                _told = told;
                _changed = true;
                if (lost)
                {
                    _applied = [];
                }

                _lost |= lost;
            }
        }

        if (changed)
        {
            _onChange();
        }
    }
}
