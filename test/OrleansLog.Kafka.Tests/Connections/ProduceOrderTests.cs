using OrleansLog.Kafka.Connections;
using OrleansLog.Partitions;

namespace OrleansLog.Kafka.Tests.Connections;

public class ProduceOrderTests
{
    private static readonly TopicPartition Partition = new("t", 0);
    private readonly ProduceOrder _order = new();
    private readonly List<int> _sent = [];

    [Fact]
    public async Task On_a_cold_partition_later_produces_leave_only_after_the_first_succeeded_and_then_in_order()
    {
        var first = new TaskCompletionSource<ProduceResponse>();
        var firstDone = _order.Send(Partition, () => Record(1, first.Task));
        var second = _order.Send(Partition, () => Record(2, Task.FromResult(Ok)));
        var third = _order.Send(Partition, () => Record(3, Task.FromResult(Ok)));
        Assert.Equal([1], _sent);

        first.SetResult(Ok);
        await Task.WhenAll(firstDone, second, third);

        Assert.Equal([1, 2, 3], _sent);
    }

    [Fact]
    public async Task Once_warm_a_produce_leaves_at_once_without_waiting_for_the_one_before()
    {
        await _order.Send(Partition, () => Record(1, Task.FromResult(Ok)));
        var slow = new TaskCompletionSource<ProduceResponse>();

        var pending = _order.Send(Partition, () => Record(2, slow.Task));
        var next = _order.Send(Partition, () => Record(3, Task.FromResult(Ok)));

        Assert.Equal([1, 2, 3], _sent);
        slow.SetResult(Ok);
        await Task.WhenAll(pending, next);
    }

    [Fact]
    public async Task After_a_failure_the_next_produce_goes_alone_again()
    {
        await _order.Send(Partition, () => Record(1, Task.FromResult(new ProduceResponse(ErrorCode.NotLeaderOrFollower, -1, -1))));
        var retry = new TaskCompletionSource<ProduceResponse>();

        var alone = _order.Send(Partition, () => Record(2, retry.Task));
        var behind = _order.Send(Partition, () => Record(3, Task.FromResult(Ok)));
        Assert.Equal([1, 2], _sent);

        retry.SetResult(Ok);
        await Task.WhenAll(alone, behind);
        Assert.Equal([1, 2, 3], _sent);
    }

    private static ProduceResponse Ok => new(ErrorCode.None, 0, 0);

    private Task<ProduceResponse> Record(int id, Task<ProduceResponse> call)
    {
        lock (_sent)
        {
            _sent.Add(id);
        }

        return call;
    }
}
