namespace OrleansLog.Server.Producers;

/// <summary>Whether a producer id was handed out by this cluster: a leader refuses batches under ids nobody allocated.</summary>
public interface IProducerIdAuthority
{
    ValueTask<bool> IsAllocated(long producerId);
}
