using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Serialization.Cloning;
using OrleansLog.Partitions;
using OrleansLog.Replication;

namespace OrleansLog.Server.Tests.Partitions;

/// <summary>
/// Batches sent to a broker: received into a pooled array that the receiving grain hands back, written on the wire
/// as Orleans writes a byte <see cref="ReadOnlyMemory{T}"/> (what the requests held before), and the sender's own
/// bytes never handed back.
/// </summary>
public sealed class BatchBytesTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    [Fact]
    public void A_produce_from_another_process_arrives_whole_in_a_pooled_array_that_the_receiver_hands_back_once()
    {
        var serializer = _services.GetRequiredService<Serializer>();
        var sent = new ProduceRequest(Pattern(100_000), Acks.Leader, 1234, "tx");

        var received = serializer.Deserialize<ProduceRequest>(serializer.SerializeToArray(sent))!;

        Assert.Equal(Pattern(100_000), received.Records.Memory.ToArray());
        Assert.Equal((Acks.Leader, 1234, "tx"), (received.Acks, received.TimeoutMs, received.TransactionalId));
        received.Records.Dispose();
        received.Records.Dispose();
        Assert.Throws<ObjectDisposedException>(() => received.Records.Memory);
        Assert.Equal(100_000, received.Records.Length);

        // The sender's bytes were written, not handed anywhere.
        Assert.Equal(Pattern(100_000), sent.Records.Memory.ToArray());
    }

    [Fact]
    public void A_leaders_push_arrives_whole_and_an_empty_one_as_the_shared_empty_batches()
    {
        var serializer = _services.GetRequiredService<Serializer>();
        var push = serializer.Deserialize<ReplicateRequest>(serializer.SerializeToArray(new ReplicateRequest(3, Pattern(300), 10, 2, Guid.NewGuid())))!;
        Assert.Equal(Pattern(300), push.Records.Memory.ToArray());
        Assert.Equal((3, 10L, 2L), (push.LeaderEpoch, push.HighWatermark, push.LogStartOffset));

        var empty = serializer.Deserialize<ReplicateRequest>(serializer.SerializeToArray(new ReplicateRequest(3, ReadOnlyMemory<byte>.Empty, 10, 2)))!;
        Assert.Same(BatchBytes.Empty, empty.Records);
    }

    [Fact]
    public void A_produce_is_written_as_when_its_batches_were_a_byte_memory_so_either_version_reads_the_other()
    {
        var serializer = _services.GetRequiredService<Serializer>();
        var current = serializer.SerializeToArray(new ProduceRequest(Pattern(5000), Acks.None, 7, "tx"));
        var before = serializer.SerializeToArray(new ProduceRequestBefore(Pattern(5000), Acks.None, 7, "tx"));

        Assert.Equal(before, current);
        Assert.Equal(Pattern(5000), serializer.Deserialize<ProduceRequestBefore>(current)!.Records.ToArray());
        Assert.Equal(Pattern(5000), serializer.Deserialize<ProduceRequest>(before)!.Records.Memory.ToArray());
    }

    [Fact]
    public void A_grain_in_the_same_silo_gets_the_senders_own_bytes_which_its_dispose_leaves_alone()
    {
        var copier = _services.GetRequiredService<DeepCopier>();
        var sent = new ProduceRequest(Pattern(10));

        var copy = copier.Copy(sent);
        Assert.Same(sent.Records, copy.Records);
        copy.Records.Dispose();
        Assert.Equal(Pattern(10), sent.Records.Memory.ToArray());
    }

    public void Dispose() => _services.Dispose();

    private static byte[] Pattern(int length) => [.. Enumerable.Range(0, length).Select(i => (byte)(i * 7))];
}

/// <summary><see cref="ProduceRequest"/> as it was when its batches were a <see cref="ReadOnlyMemory{T}"/> of bytes.</summary>
[GenerateSerializer]
public sealed record ProduceRequestBefore(
    [property: Id(0)] ReadOnlyMemory<byte> Records,
    [property: Id(1)] short Acks = OrleansLog.Partitions.Acks.All,
    [property: Id(2)] int TimeoutMs = 30_000,
    [property: Id(3)] string? TransactionalId = null);
