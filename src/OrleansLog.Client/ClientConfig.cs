namespace OrleansLog.Client;

/// <summary>Settings common to producers and consumers (Kafka's names in the comments).</summary>
public class ClientConfig
{
    /// <summary>Names this client in broker logs and group descriptions (<c>client.id</c>).</summary>
    public string ClientId { get; set; } = "orleanslog";

    /// <summary>How long cached topic metadata (partition counts) is trusted (<c>metadata.max.age.ms</c>).</summary>
    public TimeSpan MetadataMaxAge { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long one call to the broker may take before it counts as failed (<c>request.timeout.ms</c>).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Wait between attempts after a retriable error (<c>retry.backoff.ms</c>).</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Throws <see cref="ArgumentException"/> naming the setting (Kafka's name) when <paramref name="condition"/> fails.</summary>
    protected static void Require(string client, bool condition, string setting, string problem)
    {
        if (!condition)
        {
            throw new ArgumentException($"Invalid {client} setting {setting}: {problem}.", setting);
        }
    }
}
