using System.Buffers;
using System.IO.Compression;
using OrleansLog.Records.Buffers;

namespace OrleansLog.Records.Compression;

/// <summary>gzip (RFC 1952), as Kafka's producers write it.</summary>
internal static class GzipCodec
{
    public static void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        using var gzip = new GZipStream(new BufferWriterStream(destination), CompressionLevel.Fastest, leaveOpen: false);
        gzip.Write(source);
    }

    public static void Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination) =>
        SpanStreams.ReadThrough(source, input =>
        {
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            SpanStreams.CopyAll(gzip, destination);
        });
}
