using Orleans.TestingHost;
using OrleansLog.Groups;
using OrleansLog.Testing;

namespace OrleansLog.Client.Tests;

/// <summary>
/// A one-silo broker whose produce path has two test faults, chosen by topic name: on topics named
/// "flaky-*" every third produce is appended and then answered with a timeout (the acknowledgement is
/// lost, so the client retries a batch the log already has); on "slow-*" produces wait at a gate the
/// test opens, so the broker is slower than any producer. Commits to groups named "unreachable-*" fail
/// as if the group's silo had gone away.
/// </summary>
public sealed class ClientClusterFixture : BrokerClusterFixture
{
    public static TaskCompletionSource SlowGate { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static int LostAcknowledgements;

    /// <summary>While set, heartbeats of members whose client id starts with "lossy-" fail, so their sessions expire.</summary>
    public static volatile bool DropLossyHeartbeats;

    protected override void ConfigureCluster(TestClusterBuilder builder) => builder.AddSiloBuilderConfigurator<FaultConfigurator>();

    private sealed class FaultConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddIncomingGrainCallFilter(async context =>
        {
            if (DropLossyHeartbeats && context.InterfaceMethod?.Name == "Heartbeat"
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
                await SlowGate.Task;
            }

            await context.Invoke();
            if (key.StartsWith("flaky-", StringComparison.Ordinal) && Interlocked.Increment(ref s_flakyCalls) % 3 == 0)
            {
                Interlocked.Increment(ref LostAcknowledgements);
                throw new TimeoutException("Test fault: the acknowledgement of this produce was lost.");
            }
        });
    }

    private static int s_flakyCalls;
}
