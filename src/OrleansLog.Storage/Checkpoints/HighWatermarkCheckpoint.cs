using System.Buffers.Binary;
using OrleansLog.Storage.IO;
using OrleansLog.Storage.Segments;

namespace OrleansLog.Storage.Checkpoints;

/// <summary>
/// The last high watermark a broker knew for a partition, so a leader that starts after a whole-cluster
/// restart serves what was committed at once instead of starting at the log start until its followers
/// answer (Kafka's <c>replication-offset-checkpoint</c>). It may lag the truth (written every few seconds)
/// but never runs ahead of it, so a damaged or missing one is read as 0: only availability suffers.
/// Layout: a <see cref="ChecksummedFile"/> (magic "OLHW", version 1) around a big-endian int64. Stateless.
/// </summary>
internal static class HighWatermarkCheckpoint
{
    private const uint Magic = 0x4F4C4857;

    public static long Read(IFileSystem fileSystem, string directory) =>
        ChecksummedFile.TryRead(fileSystem, PathIn(directory), Magic, 1) is { Length: 8 } payload ? BinaryPrimitives.ReadInt64BigEndian(payload) : 0;

    public static void Write(IFileSystem fileSystem, string directory, long offset)
    {
        Span<byte> payload = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(payload, offset);
        ChecksummedFile.WriteAtomic(fileSystem, PathIn(directory), Magic, 1, payload);
    }

    private static string PathIn(string directory) => Path.Combine(directory, SegmentFileNames.HighWatermarkCheckpoint);
}
