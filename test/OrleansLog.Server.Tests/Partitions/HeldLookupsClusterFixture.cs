using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansLog.Metadata;
using OrleansLog.Testing;

namespace OrleansLog.Server.Tests.Partitions;

/// <summary>
/// A single-broker cluster whose coordinator can hold the topic lookups one grain makes, so a test decides
/// when the lookups a partition grain awaits return: the way to make two calls of one activation interleave
/// across that await every time.
/// </summary>
public sealed class HeldLookupsClusterFixture : BrokerClusterFixture
{
    private static readonly ConcurrentDictionary<GrainId, LookupHold> Holds = new();

    /// <summary>
    /// From now on, <see cref="IMetadataGrain.TryGetTopic"/> calls made by <paramref name="caller"/> wait until
    /// the hold is released, except the first <paramref name="passing"/>.
    /// </summary>
    public static LookupHold Hold(GrainId caller, int passing)
    {
        var hold = new LookupHold(passing);
        Holds[caller] = hold;
        return hold;
    }

    protected override void ConfigureCluster(TestClusterBuilder builder) => builder.AddSiloBuilderConfigurator<HoldConfigurator>();

    /// <summary>Counts the lookups it holds; thread-safe (grain calls enter while the test releases).</summary>
    public sealed class LookupHold(int passing)
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _passing = passing;
        private int _held;

        public int Held => Volatile.Read(ref _held);

        public void Release() => _released.TrySetResult();

        internal Task Enter()
        {
            if (Interlocked.Decrement(ref _passing) >= 0)
            {
                return Task.CompletedTask;
            }

            Interlocked.Increment(ref _held);
            return _released.Task;
        }
    }

    private sealed class HoldFilter : IIncomingGrainCallFilter
    {
        public async Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.InterfaceMethod?.Name == nameof(IMetadataGrain.TryGetTopic) && context.SourceId is { } caller && Holds.TryGetValue(caller, out var hold))
            {
                await hold.Enter();
            }

            await context.Invoke();
        }
    }

    private sealed class HoldConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddIncomingGrainCallFilter<HoldFilter>();
    }
}
