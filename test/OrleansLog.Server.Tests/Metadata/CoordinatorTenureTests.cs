using OrleansLog.Server.Metadata;

namespace OrleansLog.Server.Tests.Metadata;

/// <summary>A coordinator activation keeps its tenure against its own or an older stored epoch, and loses it for good to a newer one.</summary>
public sealed class CoordinatorTenureTests
{
    [Fact]
    public void Its_own_epoch_keeps_it_and_a_newer_one_supersedes_it_for_good()
    {
        var tenure = new CoordinatorTenure();
        tenure.Began(7);
        Assert.True(tenure.Observe(7));
        Assert.True(tenure.Observe(6), "an older activation's epoch cannot be stored after this one's");
        Assert.False(tenure.IsSuperseded);

        Assert.False(tenure.Observe(8));
        Assert.True(tenure.IsSuperseded);
        Assert.False(tenure.Observe(7), "superseded for good");
    }
}
