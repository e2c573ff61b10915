using OrleansLog.Groups;
using OrleansLog.Kafka.Hosting;

namespace OrleansLog.Kafka.Handlers;

/// <summary>
/// What the group handlers share: the group grain for an id, and the polling that stands in for a held
/// call. A group never holds a JoinGroup or SyncGroup open (a grain call that waits for other members'
/// calls would block them), so the listener asks again every <see cref="PollInterval"/> until the answer is
/// final or the client's rebalance timeout has passed.
/// </summary>
internal static class GroupRequests
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public static IConsumerGroupGrain Group(this KafkaListenerContext context, string groupId) =>
        context.Grains.GetGrain<IConsumerGroupGrain>(groupId);

    /// <summary>Calls once with null, then with the previous answer (a resumed call) while that answer is pending and time is left.</summary>
    public static async Task<T> PollUntilFinal<T>(Func<T?, Task<T>> call, Func<T, bool> pending, TimeSpan limit, TimeProvider time)
        where T : class
    {
        var started = time.GetTimestamp();
        var answer = await call(null);
        while (pending(answer) && time.GetElapsedTime(started) < limit)
        {
            await Task.Delay(PollInterval, time);
            answer = await call(answer);
        }

        return answer;
    }
}
