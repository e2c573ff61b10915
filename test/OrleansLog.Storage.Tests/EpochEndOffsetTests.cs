using OrleansLog.Records;
using OrleansLog.Storage.Epochs;

namespace OrleansLog.Storage.Tests;

public class EpochEndOffsetTests
{
    private static readonly System.Collections.Immutable.ImmutableArray<EpochEntry> Epochs = [new(1, 0), new(3, 100), new(4, 250)];

    [Theory]
    [InlineData(4, 4, 400L)]
    [InlineData(3, 3, 250L)]
    [InlineData(2, 1, 100L)]
    [InlineData(1, 1, 100L)]
    [InlineData(0, 0, 0L)]
    public void An_epoch_ends_where_the_next_one_starts_and_the_latest_at_the_log_end(int requested, int epoch, long endOffset) =>
        Assert.Equal(new EpochEndOffset(epoch, endOffset), EpochEndOffset.For(Epochs, requested, logEndOffset: 400));

    [Theory]
    [InlineData(5)]
    [InlineData(-1)]
    public void An_epoch_newer_than_all_or_undefined_has_no_end(int requested) =>
        Assert.Equal(EpochEndOffset.Undefined, EpochEndOffset.For(Epochs, requested, logEndOffset: 400));

    [Fact]
    public void A_log_without_epochs_has_no_end_for_any_epoch() =>
        Assert.Equal(EpochEndOffset.Undefined, EpochEndOffset.For([], 0, logEndOffset: 0));
}
