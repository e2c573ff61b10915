using System.IO.Hashing;

namespace OrleansLog.Records;

/// <summary>CRC32C (Castagnoli), the checksum of record batches and of OrleansLog's own file headers.</summary>
public static class Crc32C
{
    public static uint Compute(ReadOnlySpan<byte> data) => Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, data);

    /// <summary>The CRC32C of <paramref name="first"/> followed by <paramref name="second"/>, without joining them.</summary>
    public static uint Compute(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        var crc = new Crc32(Crc32ParameterSet.Crc32C);
        crc.Append(first);
        crc.Append(second);
        return crc.GetCurrentHashAsUInt32();
    }
}
