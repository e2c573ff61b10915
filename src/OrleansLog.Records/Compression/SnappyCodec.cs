using System.Buffers;
using System.Buffers.Binary;
using Snappier;

namespace OrleansLog.Records.Compression;

/// <summary>
/// Snappy in the xerial framing that Kafka's Java client writes (a 16-byte header, then blocks each
/// prefixed by its big-endian compressed length). Decoding also takes a bare snappy block, which some
/// clients send.
/// </summary>
internal static class SnappyCodec
{
    private const int BlockSize = 64 * 1024;

    private static ReadOnlySpan<byte> XerialHeader => [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1];

    public static void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        destination.Write(XerialHeader);
        while (source.Length > 0)
        {
            var block = source[..Math.Min(BlockSize, source.Length)];
            var span = destination.GetSpan(4 + Snappy.GetMaxCompressedLength(block.Length));
            var written = Snappy.Compress(block, span[4..]);
            BinaryPrimitives.WriteInt32BigEndian(span, written);
            destination.Advance(4 + written);
            source = source[block.Length..];
        }
    }

    public static void Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        // The version fields after the magic differ between writers; only the 8-byte magic identifies the framing.
        if (source.Length < XerialHeader.Length || !source[..8].SequenceEqual(XerialHeader[..8]))
        {
            DecompressBlock(source, destination);
            return;
        }

        source = source[XerialHeader.Length..];
        while (source.Length > 0)
        {
            if (source.Length < 4)
            {
                throw new InvalidDataException("Truncated snappy block length.");
            }

            var length = BinaryPrimitives.ReadInt32BigEndian(source);
            if (length < 0 || length > source.Length - 4)
            {
                throw new InvalidDataException($"Snappy block length {length} runs past the payload.");
            }

            DecompressBlock(source.Slice(4, length), destination);
            source = source[(4 + length)..];
        }
    }

    private static void DecompressBlock(ReadOnlySpan<byte> block, IBufferWriter<byte> destination)
    {
        var length = Snappy.GetUncompressedLength(block);
        var span = destination.GetSpan(length);
        var written = Snappy.Decompress(block, span);
        destination.Advance(written);
    }
}
