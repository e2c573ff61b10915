using System.Buffers;
using K4os.Compression.LZ4;
using K4os.Compression.LZ4.Internal;
using K4os.Compression.LZ4.Streams;
using OrleansLog.Records.Buffers;

namespace OrleansLog.Records.Compression;

/// <summary>
/// LZ4 frame format with 64 KiB independent blocks and no checksums: what Kafka's Java client writes
/// for magic 2 and what both it and librdkafka read.
/// </summary>
internal static class Lz4Codec
{
    private static readonly LZ4EncoderSettings Settings = new()
    {
        BlockSize = Mem.K64,
        ChainBlocks = false,
        ContentChecksum = false,
        BlockChecksum = false,
        CompressionLevel = LZ4Level.L00_FAST,
    };

    public static void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        using var lz4 = LZ4Stream.Encode(new BufferWriterStream(destination), Settings, leaveOpen: false);
        lz4.Write(source);
    }

    public static void Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination) =>
        SpanStreams.ReadThrough(source, input =>
        {
            using var lz4 = LZ4Stream.Decode(input, leaveOpen: true);
            SpanStreams.CopyAll(lz4, destination);
        });
}
