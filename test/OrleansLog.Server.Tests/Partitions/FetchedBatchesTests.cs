using System.Buffers;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Serialization.Cloning;
using OrleansLog.Partitions;

namespace OrleansLog.Server.Tests.Partitions;

/// <summary>
/// A fetch answer's pooled batches: handed back by the caller in the same silo that promised to, or by being written
/// when the caller promised to read the answer only as written (the native client), and never read after; an answer
/// read from the wire is in a pooled array of the receiver's, which its Dispose hands back.
/// </summary>
public sealed class FetchedBatchesTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    [Fact]
    public void An_answer_written_for_another_process_arrives_whole_and_writing_it_hands_nothing_back()
    {
        var serializer = _services.GetRequiredService<Serializer>();
        var sent = Answer(Rented(5000));

        var bytes = serializer.SerializeToArray(sent);
        var received = serializer.Deserialize<FetchResponse>(bytes)!;

        Assert.Equal(Pattern(5000), received.Records.ToArray());
        Assert.Equal(5000, received.Batches.Length);
        Assert.Equal(42, received.NextOffset);

        // Only the caller that promised returns a rented array: the written answer still reads whole.
        Assert.Equal(Pattern(5000), sent.Records.ToArray());
        sent.Dispose();
        Assert.Throws<ObjectDisposedException>(() => sent.Records);
        Assert.Equal(5000, sent.Batches.Length);

        // What arrived sits in an array the receiver rented and owns: disposing it hands that back, once.
        received.Dispose();
        received.Dispose();
        Assert.Throws<ObjectDisposedException>(() => received.Records);
        Assert.Equal(5000, received.Batches.Length);
    }

    [Fact]
    public void An_answer_for_a_caller_that_reads_it_only_as_written_goes_back_to_the_pool_once_written_and_arrives_whole()
    {
        var serializer = _services.GetRequiredService<Serializer>();
        var sent = Answer(Rented(5000, returnWhenWritten: true));

        var bytes = serializer.SerializeToArray(sent);

        Assert.Throws<ObjectDisposedException>(() => sent.Records);
        Assert.Equal(5000, sent.Batches.Length);
        var received = serializer.Deserialize<FetchResponse>(bytes)!;
        Assert.Equal(Pattern(5000), received.Records.ToArray());
        Assert.False(received.Batches.ReturnsWhenWritten);
    }

    [Fact]
    public void An_empty_answer_round_trips_as_the_shared_empty_batches()
    {
        var serializer = _services.GetRequiredService<Serializer>();
        var received = serializer.Deserialize<FetchResponse>(serializer.SerializeToArray(Answer(FetchedBatches.Empty)))!;
        Assert.Same(FetchedBatches.Empty, received.Batches);
        received.Dispose();
        Assert.True(FetchedBatches.Empty.Memory.IsEmpty);
    }

    [Fact]
    public void A_caller_in_the_same_silo_gets_the_answer_itself_and_hands_the_array_back_once()
    {
        var copier = _services.GetRequiredService<DeepCopier>();
        var sent = Answer(Rented(100));

        var copy = copier.Copy(sent);
        Assert.Same(sent, copy);
        Assert.Equal(Pattern(100), copy.Records.ToArray());

        copy.Dispose();
        copy.Dispose();
        Assert.Throws<ObjectDisposedException>(() => copy.Records);
    }

    [Fact]
    public void Bytes_of_the_callers_own_stay_readable_after_dispose()
    {
        var batches = FetchedBatches.Of(Pattern(10));
        batches.Dispose();
        Assert.Equal(Pattern(10), batches.Memory.ToArray());
    }

    public void Dispose() => _services.Dispose();

    private static FetchResponse Answer(FetchedBatches batches) => new(ErrorCode.None, batches, 100, 0, 42);

    private static FetchedBatches Rented(int length, bool returnWhenWritten = false)
    {
        var rented = ArrayPool<byte>.Shared.Rent(length);
        Pattern(length).CopyTo(rented, 0);
        return FetchedBatches.OfRented(rented, length, returnWhenWritten);
    }

    private static byte[] Pattern(int length) => [.. Enumerable.Range(0, length).Select(i => (byte)(i * 7))];
}
