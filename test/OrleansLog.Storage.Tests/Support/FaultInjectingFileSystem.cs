using OrleansLog.Storage.IO;

namespace OrleansLog.Storage.Tests.Support;

/// <summary>
/// The real file system with faults on demand: a failing fsync, a write that lands only partly and
/// then fails (a torn write, as a crash or a full disk leaves it), or a process at its file limit (EMFILE);
/// it counts the handles it has open.
/// </summary>
public sealed class FaultInjectingFileSystem : IFileSystem
{
    private readonly DiskFileSystem _disk = DiskFileSystem.Instance;

    /// <summary>When set, every flush of a .log file throws.</summary>
    public bool FailFlush { get; set; }

    /// <summary>When set, the next write of a .log file writes only this many bytes and throws.</summary>
    public int? TearNextWriteAfter { get; set; }

    /// <summary>While reset, flushes of .log files wait: lets a test line up writers behind one flush.</summary>
    public ManualResetEventSlim FlushesMayProceed { get; } = new(initialState: true);

    /// <summary>Set when a flush of a .log file is waiting on <see cref="FlushesMayProceed"/>.</summary>
    public ManualResetEventSlim FlushIsWaiting { get; } = new(initialState: false);

    private int _flushCount;
    private int _openHandles;
    private int _opened;

    public int FlushCount => Volatile.Read(ref _flushCount);

    /// <summary>Handles open now.</summary>
    public int OpenHandles => Volatile.Read(ref _openHandles);

    /// <summary>Opens since the start.</summary>
    public int Opened => Volatile.Read(ref _opened);

    /// <summary>Opens beyond this many handles fail as a process at its file limit does (EMFILE, "Too many open files").</summary>
    public int HandleLimit { get; set; } = int.MaxValue;

    public IStorageFile Open(string path, bool create)
    {
        if (OpenHandles >= HandleLimit)
        {
            throw new IOException("Too many open files", 24);
        }

        var file = new FaultyFile(this, _disk.Open(path, create));
        Interlocked.Increment(ref _openHandles);
        Interlocked.Increment(ref _opened);
        return file;
    }

    public bool FileExists(string path) => _disk.FileExists(path);

    public void DeleteFile(string path) => _disk.DeleteFile(path);

    public bool CreateDirectory(string path) => _disk.CreateDirectory(path);

    public IReadOnlyList<string> ListFiles(string directory) => _disk.ListFiles(directory);

    public void Rename(string source, string destination) => _disk.Rename(source, destination);

    public void FlushDirectory(string directory) => _disk.FlushDirectory(directory);

    public IDisposable LockDirectory(string directory) => _disk.LockDirectory(directory);

    private sealed class FaultyFile(FaultInjectingFileSystem owner, IStorageFile inner) : IStorageFile
    {
        private bool IsLog => inner.Path.EndsWith(".log", StringComparison.Ordinal);

        public string Path => inner.Path;

        public int Read(Span<byte> destination, long position) => inner.Read(destination, position);

        public void Write(ReadOnlySpan<byte> source, long position)
        {
            if (IsLog && owner.TearNextWriteAfter is { } tear)
            {
                owner.TearNextWriteAfter = null;
                inner.Write(source[..Math.Min(tear, source.Length)], position);
                throw new IOException("Injected torn write.");
            }

            inner.Write(source, position);
        }

        public void Write(IReadOnlyList<ReadOnlyMemory<byte>> buffers, long position)
        {
            var joined = buffers.SelectMany(b => b.ToArray()).ToArray();
            Write(joined, position);
        }

        public void Flush()
        {
            if (IsLog && owner.FailFlush)
            {
                throw new IOException("Injected fsync failure.");
            }

            if (IsLog && !owner.FlushesMayProceed.IsSet)
            {
                owner.FlushIsWaiting.Set();
                owner.FlushesMayProceed.Wait();
            }

            Interlocked.Increment(ref owner._flushCount);
            inner.Flush();
        }

        public long GetLength() => inner.GetLength();

        public void SetLength(long length) => inner.SetLength(length);

        public void Dispose()
        {
            inner.Dispose();
            Interlocked.Decrement(ref owner._openHandles);
        }
    }
}
