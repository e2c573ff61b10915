using System.Buffers;
using OrleansLog.Records;

namespace OrleansLog.Records.Compression;

/// <summary>
/// Compresses and decompresses the records section of a batch with the codec its attributes name.
/// Each codec is a maintained package (System.IO.Compression, Snappier, K4os LZ4, ZstdSharp); the
/// framing matches what Kafka's Java client and librdkafka write. Thread-safe.
/// </summary>
public static class CompressionCodecs
{
    public static void Compress(CompressionType type, ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        switch (type)
        {
            case CompressionType.None:
                destination.Write(source);
                break;
            case CompressionType.Gzip:
                GzipCodec.Compress(source, destination);
                break;
            case CompressionType.Snappy:
                SnappyCodec.Compress(source, destination);
                break;
            case CompressionType.Lz4:
                Lz4Codec.Compress(source, destination);
                break;
            case CompressionType.Zstd:
                ZstdCodec.Compress(source, destination);
                break;
            default:
                throw Unsupported(type);
        }
    }

    /// <summary>Decompresses <paramref name="source"/>; a malformed input is CORRUPT_MESSAGE.</summary>
    public static void Decompress(CompressionType type, ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        try
        {
            switch (type)
            {
                case CompressionType.None:
                    destination.Write(source);
                    break;
                case CompressionType.Gzip:
                    GzipCodec.Decompress(source, destination);
                    break;
                case CompressionType.Snappy:
                    SnappyCodec.Decompress(source, destination);
                    break;
                case CompressionType.Lz4:
                    Lz4Codec.Decompress(source, destination);
                    break;
                case CompressionType.Zstd:
                    ZstdCodec.Decompress(source, destination);
                    break;
                default:
                    throw Unsupported(type);
            }
        }
        catch (Exception e) when (e is not OrleansLogException and not OutOfMemoryException)
        {
            throw new OrleansLogException(ErrorCode.CorruptMessage, $"The {type} payload of a record batch does not decompress: {e.Message}", e);
        }
    }

    /// <summary>Parses Kafka's name of a codec (<c>none</c>, <c>gzip</c>, <c>snappy</c>, <c>lz4</c>, <c>zstd</c>).</summary>
    public static bool TryParse(string name, out CompressionType type)
    {
        switch (name.Trim().ToLowerInvariant())
        {
            case "none" or "uncompressed":
                type = CompressionType.None;
                return true;
            case "gzip":
                type = CompressionType.Gzip;
                return true;
            case "snappy":
                type = CompressionType.Snappy;
                return true;
            case "lz4":
                type = CompressionType.Lz4;
                return true;
            case "zstd":
                type = CompressionType.Zstd;
                return true;
            default:
                type = CompressionType.None;
                return false;
        }
    }

    private static OrleansLogException Unsupported(CompressionType type) =>
        new(ErrorCode.UnsupportedCompressionType, $"Compression codec {(int)type} is not one of none, gzip, snappy, lz4, zstd.");
}
