using System.Buffers.Binary;
using OrleansLog.Storage.IO;
using OrleansLog.Storage.Segments;

namespace OrleansLog.Storage.Checkpoints;

/// <summary>
/// The file that remembers a log's start offset when it is above the first segment's base offset
/// (after retention or DeleteRecords moved it inside a segment, or after a follower restarted empty
/// at a leader's log start). Layout: a <see cref="ChecksummedFile"/> (magic "OLSS", version 1) whose
/// payload is the offset as a big-endian int64. Written atomically (temp file, fsync, rename); stateless.
/// </summary>
internal static class LogStartCheckpoint
{
    /// <summary>"OLSS": also the magic of the <see cref="CleanShutdownMarker"/>, which has no payload.</summary>
    public const uint Magic = 0x4F4C5353;

    private const ushort Version = 1;

    public const string Remedy = "Restore it from a backup; on a follower, or to give up the records it hid, remove the partition's directory so the replica is copied again from its leader.";

    /// <summary>The checkpointed start offset, or 0 when there is none; <see cref="DamagedFileException"/> when the file is damaged (the records below the start must stay hidden).</summary>
    public static long Read(IFileSystem fileSystem, string directory) =>
        ChecksummedFile.Read(fileSystem, PathIn(directory), Magic, Version, "log start offset checkpoint", Remedy) is { } payload
            ? payload.Length == 8 ? BinaryPrimitives.ReadInt64BigEndian(payload) : throw new DamagedFileException(PathIn(directory), "log start offset checkpoint", Remedy)
            : 0;

    public static void Write(IFileSystem fileSystem, string directory, long offset)
    {
        Span<byte> payload = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(payload, offset);
        ChecksummedFile.WriteAtomic(fileSystem, PathIn(directory), Magic, Version, payload);
    }

    private static string PathIn(string directory) => Path.Combine(directory, SegmentFileNames.LogStartOffsetCheckpoint);
}
