using OrleansLog.Records;

namespace OrleansLog.Benchmarks;

/// <summary>Builds the uncompressed record batch a benchmark appends over and over.</summary>
internal static class Batches
{
    public static byte[] Build(int recordSize, int batchSize, out int records)
    {
        using var builder = new RecordBatchBuilder(CompressionType.None, batchSize);
        var value = new byte[recordSize];
        Random.Shared.NextBytes(value);
        records = 0;
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        while (builder.UncompressedSizeInBytes + recordSize + 16 <= batchSize)
        {
            builder.Add(timestamp, default, hasKey: false, value, hasValue: true);
            records++;
        }

        return builder.Build().ToArray();
    }
}
