using System.Buffers;
using ZstdSharp;

namespace OrleansLog.Records.Compression;

/// <summary>Zstandard frames at level 3 (Kafka's default). Compressor contexts are cached per thread because they are not thread-safe.</summary>
internal static class ZstdCodec
{
    [ThreadStatic]
    private static Compressor? _threadCompressor;

    public static void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        var compressor = _threadCompressor ??= new Compressor(3);
        var span = destination.GetSpan(Compressor.GetCompressBound(source.Length));
        var written = compressor.Wrap(source, span);
        destination.Advance(written);
    }

    public static void Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination) =>
        SpanStreams.ReadThrough(source, input =>
        {
            using var zstd = new DecompressionStream(input, leaveOpen: true);
            SpanStreams.CopyAll(zstd, destination);
        });
}
