using OrleansLog.Client;
using OrleansLog.Client.Producing;
using OrleansLog.Client.Serialization;

namespace OrleansLog.Web.Api;

/// <summary>The front end's one producer (idempotent, acks=all), shared by every produce request and flushed when the application stops. It sends as the front end itself; callers' rights are checked by the endpoint.</summary>
public sealed class RecordProducer(OrleansLogClient client) : IAsyncDisposable
{
    private readonly Lazy<Producer<byte[]?, byte[]?>> _producer = new(() =>
    {
        // Built outside the first caller's flow: the producer's sending loop must not carry that caller's session (the
        // request context) into every later caller's records. Each caller's WRITE is checked before it produces.
        using var detached = ExecutionContext.SuppressFlow();
        return client
            .NewProducer<byte[]?, byte[]?>(new ProducerConfig { ClientId = "orleanslog-web", Linger = TimeSpan.FromMilliseconds(1) })
            .SetKeySerializer(Serializers.ByteArray)
            .SetValueSerializer(Serializers.ByteArray)
            .Build();
    });

    public Producer<byte[]?, byte[]?> Producer => _producer.Value;

    public async ValueTask DisposeAsync()
    {
        if (_producer.IsValueCreated)
        {
            await _producer.Value.DisposeAsync();
        }
    }
}
