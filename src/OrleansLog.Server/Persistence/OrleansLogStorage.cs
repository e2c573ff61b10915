namespace OrleansLog.Server.Persistence;

/// <summary>Names of the grain storage the broker's grains use.</summary>
public static class OrleansLogStorage
{
    /// <summary>The storage provider for the coordinator's and the consumer groups' state.</summary>
    public const string Name = "orleanslog";
}
