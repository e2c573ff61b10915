using System.IO.Hashing;

namespace OrleansLog.Records;

/// <summary>CRC32C (Castagnoli), the checksum of record batches and of OrleansLog's own file headers.</summary>
public static class Crc32C
{
    public static uint Compute(ReadOnlySpan<byte> data) => Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, data);
}
