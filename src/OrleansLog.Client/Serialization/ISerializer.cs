using System.Buffers;

namespace OrleansLog.Client.Serialization;

/// <summary>
/// Turns a key or value into bytes, written straight into the producer's buffer (no array per record).
/// Returns false for a null (Kafka's null key or tombstone), writing nothing. Must be thread-safe.
/// </summary>
public interface ISerializer<in T>
{
    bool Serialize(T value, IBufferWriter<byte> destination);
}
