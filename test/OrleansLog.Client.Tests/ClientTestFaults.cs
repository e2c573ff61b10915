using OrleansLog.Groups;

namespace OrleansLog.Client.Tests;

/// <summary>
/// Faults the client tests inject into the broker's grain calls, chosen by topic or group name: on topics
/// named "flaky-*" every third produce is appended and then answered with a timeout (the acknowledgement is
/// lost, so the client retries a batch the log already has); on "slow-*" produces wait at
/// <see cref="SlowGate"/>, so the broker is slower than any producer; commits to groups named
/// "unreachable-*" fail as if the group's silo had gone away; while <see cref="DropLossyHeartbeats"/> is
/// set, heartbeats of members whose client id starts with "lossy-" fail, so their sessions expire.
/// Thread-safe: grain calls read it while a test switches it.
/// </summary>
public sealed class ClientTestFaults
{
    private TaskCompletionSource _slowGate = Opened();
    private int _lostAcknowledgements;
    private int _flakyCalls;
    private volatile bool _dropLossyHeartbeats;

    public int LostAcknowledgements => Volatile.Read(ref _lostAcknowledgements);

    public bool DropLossyHeartbeats
    {
        get => _dropLossyHeartbeats;
        set => _dropLossyHeartbeats = value;
    }

    /// <summary>Closes the gate of "slow-*" produces until <see cref="OpenSlowGate"/>.</summary>
    public void CloseSlowGate() => Volatile.Write(ref _slowGate, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public void OpenSlowGate() => Volatile.Read(ref _slowGate).TrySetResult();

    private Task SlowGate => Volatile.Read(ref _slowGate).Task;

    private static TaskCompletionSource Opened()
    {
        var gate = new TaskCompletionSource();
        gate.SetResult();
        return gate;
    }

    /// <summary>The silo's grain-call filter that applies these faults.</summary>
    public sealed class Filter(ClientTestFaults faults) : IIncomingGrainCallFilter
    {
        public async Task Invoke(IIncomingGrainCallContext context)
        {
            if (faults.DropLossyHeartbeats && context.InterfaceMethod?.Name == "Heartbeat"
                && context.Request.GetArgument(0) is HeartbeatRequest { MemberId: var member } && member.StartsWith("lossy-", StringComparison.Ordinal))
            {
                throw new TimeoutException("Test fault: this heartbeat was lost.");
            }

            if (context.InterfaceMethod?.Name == "CommitOffsets" && context.TargetId.Key.ToString() is { } group && group.StartsWith("unreachable-", StringComparison.Ordinal))
            {
                throw new TimeoutException("Test fault: the group coordinator did not answer.");
            }

            if (context.InterfaceMethod?.Name != "Produce" || context.TargetId.Key.ToString() is not { } key)
            {
                await context.Invoke();
                return;
            }

            if (key.StartsWith("slow-", StringComparison.Ordinal))
            {
                await faults.SlowGate;
            }

            await context.Invoke();
            if (key.StartsWith("flaky-", StringComparison.Ordinal) && Interlocked.Increment(ref faults._flakyCalls) % 3 == 0)
            {
                Interlocked.Increment(ref faults._lostAcknowledgements);
                throw new TimeoutException("Test fault: the acknowledgement of this produce was lost.");
            }
        }
    }
}
