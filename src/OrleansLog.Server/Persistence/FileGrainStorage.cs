using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.Storage;
using OrleansLog.Server.Hosting;
using OrleansLog.Storage.IO;

namespace OrleansLog.Server.Persistence;

/// <summary>
/// Grain state in local files for the embedded single-silo broker: one file per grain and state name,
/// written atomically (temporary file, fsync, rename, directory fsync) inside a checksummed envelope,
/// with an ETag that refuses a write based on a stale read. Layout of the payload:
/// <c>etag int64 | serialized state</c>. Thread-safe per grain (Orleans serialises a grain's storage calls).
/// </summary>
public sealed class FileGrainStorage(IOptions<OrleansLogOptions> options, IGrainStorageSerializer serializer) : IGrainStorage
{
    private const uint Magic = 0x4F4C4753; // "OLGS"
    private const string What = "grain state";
    private const string Remedy = "Restore it from a backup. The broker does not start without it: read as empty, coordinator state would lose every topic.";

    private readonly string _directory = Directory.CreateDirectory(options.Value.StateDirectory).FullName;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var payload = Verify(PathOf(stateName, grainId));
        if (payload is null)
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return Task.CompletedTask;
        }

        grainState.State = serializer.Deserialize<T>(new BinaryData(payload.AsMemory(8)));
        grainState.ETag = BinaryPrimitives.ReadInt64BigEndian(payload).ToString(System.Globalization.CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var path = PathOf(stateName, grainId);
        var current = ReadETag(path);
        if (current != grainState.ETag)
        {
            throw new InconsistentStateException($"State {stateName} of {grainId} changed underneath: stored ETag {current ?? "none"}, expected {grainState.ETag ?? "none"}.");
        }

        var etag = (current is null ? 0 : long.Parse(current, System.Globalization.CultureInfo.InvariantCulture)) + 1;
        var data = serializer.Serialize(grainState.State).ToMemory();
        var payload = new byte[8 + data.Length];
        BinaryPrimitives.WriteInt64BigEndian(payload, etag);
        data.Span.CopyTo(payload.AsSpan(8));
        ChecksummedFile.WriteAtomic(DiskFileSystem.Instance, path, Magic, 1, payload);
        grainState.ETag = etag.ToString(System.Globalization.CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var path = PathOf(stateName, grainId);
        if (File.Exists(path))
        {
            File.Delete(path);
            DiskFileSystem.Instance.FlushDirectory(_directory);
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
        grainState.State = Activator.CreateInstance<T>();
        return Task.CompletedTask;
    }

    /// <summary>The payload of a state file, null when there is none, <see cref="DamagedFileException"/> when it fails its checksum.</summary>
    public static byte[]? Verify(string path) => ChecksummedFile.Read(DiskFileSystem.Instance, path, Magic, 1, What, Remedy);

    private static string? ReadETag(string path)
    {
        var payload = Verify(path);
        return payload is null ? null : BinaryPrimitives.ReadInt64BigEndian(payload).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private string PathOf(string stateName, GrainId grainId)
    {
        // Grain keys may hold any character: name files by a hash, prefixed with a readable, safe part.
        var id = grainId.ToString();
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(stateName + "\n" + id)))[..32];
        var readable = new string(id.Where(char.IsAsciiLetterOrDigit).Take(40).ToArray());
        return Path.Combine(_directory, $"{stateName}-{readable}-{hash}.state");
    }
}
