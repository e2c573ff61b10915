using System.Buffers.Binary;

namespace OrleansLog.Benchmarks.Compare.Drivers;

/// <summary>The send time every message carries in its first 8 bytes, so consumers measure end-to-end latency without copying the value.</summary>
public static class SendTime
{
    public static void Write(byte[] payload, long timestamp) => BinaryPrimitives.WriteInt64LittleEndian(payload, timestamp);

    public static long Read(ReadOnlySpan<byte> payload) => payload.Length >= 8 ? BinaryPrimitives.ReadInt64LittleEndian(payload) : 0;
}
