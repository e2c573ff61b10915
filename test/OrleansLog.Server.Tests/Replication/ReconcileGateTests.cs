using OrleansLog.Server.Replication;

namespace OrleansLog.Server.Tests.Replication;

public class ReconcileGateTests
{
    [Fact]
    public async Task At_most_a_few_reconciles_go_to_one_broker_at_a_time_and_another_broker_is_not_held_back()
    {
        var gate = new ReconcileGate();
        var turns = new List<IDisposable>();
        for (var i = 0; i < ReconcileGate.PerBroker; i++)
        {
            turns.Add(await gate.EnterAsync(5).WaitAsync(TimeSpan.FromSeconds(10)));
        }

        var waiting = gate.EnterAsync(5);
        var otherBroker = await gate.EnterAsync(6).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(waiting.IsCompleted);

        // A turn ended twice frees one place, not two.
        turns[0].Dispose();
        turns[0].Dispose();
        var next = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(gate.EnterAsync(5).IsCompleted);

        next.Dispose();
        otherBroker.Dispose();
    }
}
