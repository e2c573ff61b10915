using OrleansLog.Replication;
using OrleansLog.Storage;

namespace OrleansLog.Server.Tests.Replication;

/// <summary>A follower replica as the follower grain keeps one: the leader's batches appended at their offsets.</summary>
internal sealed class FakeFollower(PartitionLog log) : IFollowerGrain
{
    private TaskCompletionSource _open = Opened();

    public PartitionLog Log { get; } = log;

    public ErrorCode Refusal { get; set; }

    public void Hold() => _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _open.TrySetResult();

    /// <summary>When set, every call fails as a call to a broker that is down does.</summary>
    public bool Unreachable { get; set; }

    /// <summary>Reconcile calls so far.</summary>
    public int Reconciles { get; private set; }

    public async Task<ReplicaResponse> Reconcile(ReconcileRequest request)
    {
        Reconciles++;
        if (Unreachable)
        {
            throw new OrleansLogException(ErrorCode.ReplicaNotAvailable, "The broker is down (test).");
        }

        await _open.Task;
        return Refusal == ErrorCode.None ? new ReplicaResponse(ErrorCode.None, Log.LogEndOffset) : ReplicaResponse.Failed(Refusal, "refused by the test");
    }

    public async Task<ReplicaResponse> Replicate(ReplicateRequest request)
    {
        await _open.Task;
        if (!request.Records.IsEmpty)
        {
            Log.AppendAsFollower(request.Records);
        }

        return new ReplicaResponse(ErrorCode.None, Log.LogEndOffset);
    }

    public Task Fence(int leaderEpoch) => Task.CompletedTask;

    public Task<ReplicaState> GetState() => throw new NotSupportedException();

    public Task Delete() => Task.CompletedTask;

    private static TaskCompletionSource Opened()
    {
        var open = new TaskCompletionSource();
        open.SetResult();
        return open;
    }
}
