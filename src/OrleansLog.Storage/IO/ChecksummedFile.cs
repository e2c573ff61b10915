using System.Buffers;
using System.Buffers.Binary;
using OrleansLog.Records;

namespace OrleansLog.Storage.IO;

/// <summary>
/// OrleansLog's own small files (indexes, checkpoints) share one envelope, so a torn or flipped file
/// is detected instead of trusted. Layout, big-endian:
/// <code>0 magic uint32 | 4 version uint16 | 6 reserved uint16 | 8 payloadLength int32 | 12 crc32c(payload) uint32 | 16 payload</code>
/// Writes go to a temporary file that is flushed and then renamed over the old one. Stateless and thread-safe.
/// </summary>
public static class ChecksummedFile
{
    public const int HeaderSize = 16;

    /// <summary>
    /// Writes the envelope and <paramref name="payload"/> atomically and durably. With <paramref name="flushDirectory"/>
    /// false the rename is not yet durable (a crash may leave the previous file): for a caller that flushes the
    /// directory once after several writes, before anything relies on them.
    /// </summary>
    public static void WriteAtomic(IFileSystem fileSystem, string path, uint magic, ushort version, ReadOnlySpan<byte> payload, bool flushDirectory = true)
    {
        var temp = path + ".tmp";
        var buffer = ArrayPool<byte>.Shared.Rent(HeaderSize + payload.Length);
        try
        {
            var span = buffer.AsSpan(0, HeaderSize + payload.Length);
            BinaryPrimitives.WriteUInt32BigEndian(span, magic);
            BinaryPrimitives.WriteUInt16BigEndian(span[4..], version);
            BinaryPrimitives.WriteUInt16BigEndian(span[6..], 0);
            BinaryPrimitives.WriteInt32BigEndian(span[8..], payload.Length);
            BinaryPrimitives.WriteUInt32BigEndian(span[12..], Crc32C.Compute(payload));
            payload.CopyTo(span[HeaderSize..]);
            using (var file = fileSystem.Open(temp, create: true))
            {
                file.SetLength(0);
                file.Write(span, 0);
                file.Flush();
            }

            fileSystem.Rename(temp, path);
            if (flushDirectory)
            {
                fileSystem.FlushDirectory(Path.GetDirectoryName(path)!);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Reads the payload of a file that must not be lost: null when it is missing, <see cref="DamagedFileException"/>
    /// (naming <paramref name="what"/> and the <paramref name="remedy"/>) when it exists but fails its check.
    /// </summary>
    public static byte[]? Read(IFileSystem fileSystem, string path, uint magic, ushort version, string what, string remedy) =>
        !fileSystem.FileExists(path) ? null
        : TryRead(fileSystem, path, magic, version) ?? throw new DamagedFileException(path, what, remedy);

    /// <summary>
    /// Reads the payload, or returns null when the file is missing, of another kind or version, torn, or
    /// corrupt: for files that are rebuilt when lost (indexes, markers). See <see cref="Read"/> for the others.
    /// </summary>
    public static byte[]? TryRead(IFileSystem fileSystem, string path, uint magic, ushort version)
    {
        if (!fileSystem.FileExists(path))
        {
            return null;
        }

        using var file = fileSystem.Open(path, create: false);
        var length = file.GetLength();
        if (length < HeaderSize || length > int.MaxValue)
        {
            return null;
        }

        var bytes = new byte[length];
        if (file.Read(bytes, 0) != length)
        {
            return null;
        }

        var payloadLength = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(8));
        if (BinaryPrimitives.ReadUInt32BigEndian(bytes) != magic ||
            BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(4)) != version ||
            payloadLength != length - HeaderSize)
        {
            return null;
        }

        var payload = bytes.AsSpan(HeaderSize);
        return Crc32C.Compute(payload) == BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(12)) ? payload.ToArray() : null;
    }
}
