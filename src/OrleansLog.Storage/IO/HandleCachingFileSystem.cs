using OrleansLog.Records;

namespace OrleansLog.Storage.IO;

/// <summary>
/// A file system whose open files share a bounded number of OS handles, least recently used closed first, so a
/// broker with a hundred thousand partitions in use at once holds at most <see cref="Capacity"/> segment files
/// open, whatever its file limit. A file opened here opens its handle on first use and again after an eviction;
/// a handle in use (a read, a write, a flush) is never closed under it. Durability holds across an eviction:
/// fdatasync through a reopened handle writes every dirty page of the file, whichever handle wrote it.
/// <para>
/// When the process runs out of handles anyway (sockets and other files count against the same limit), every idle
/// handle is closed and the open tried once more; if that fails too, the operation fails with a retriable
/// KAFKA_STORAGE_ERROR that is not an I/O failure: nothing was written or lost, so the log is not taken offline.
/// </para>
/// Thread-safe: one lock guards the handle list, and no I/O happens under it.
/// </summary>
public sealed class HandleCachingFileSystem(IFileSystem inner, int capacity) : IFileSystem
{
    private readonly Lock _lock = new();
    private readonly LinkedList<CachedStorageFile> _idle = [];
    private int _open;
    private long _refusals;

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "At least one handle.");

    /// <summary>Handles open now, in use or idle.</summary>
    public int OpenHandles
    {
        get
        {
            lock (_lock)
            {
                return _open;
            }
        }
    }

    public IStorageFile Open(string path, bool create)
    {
        var file = new CachedStorageFile(this, path);
        if (create || !inner.FileExists(path))
        {
            // Created now (or found missing now, as the inner file system would say), not at first use.
            file.Adopt(OpenInner(path, create));
            Track(file);
        }

        return file;
    }

    public bool FileExists(string path) => inner.FileExists(path);

    public void DeleteFile(string path) => inner.DeleteFile(path);

    public bool CreateDirectory(string path) => inner.CreateDirectory(path);

    public IReadOnlyList<string> ListFiles(string directory) => inner.ListFiles(directory);

    public void Rename(string source, string destination) => inner.Rename(source, destination);

    public void FlushDirectory(string directory) => inner.FlushDirectory(directory);

    public IDisposable LockDirectory(string directory) => inner.LockDirectory(directory);

    /// <summary>The file's handle for one operation, opened if it was evicted; pair with <see cref="Return"/>.</summary>
    internal IStorageFile Lease(CachedStorageFile file)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(file.Closed, file);
            if (file.Handle is { } handle)
            {
                if (file.Node.List is not null)
                {
                    _idle.Remove(file.Node);
                }

                file.Users++;
                return handle;
            }
        }

        var opened = OpenInner(file.Path, create: false);
        lock (_lock)
        {
            if (file.Closed)
            {
                opened.Dispose();
                throw new ObjectDisposedException(file.Path);
            }

            if (file.Handle is { } raced)
            {
                // Another operation on the same file opened it meanwhile: keep one handle.
                file.Users++;
                opened.Dispose();
                return raced;
            }

            file.Adopt(opened);
            file.Users++;
            _open++;
        }

        EvictBeyondCapacity();
        return opened;
    }

    internal void Return(CachedStorageFile file)
    {
        lock (_lock)
        {
            if (--file.Users == 0 && file.Handle is not null && !file.Closed)
            {
                _idle.AddLast(file.Node);
            }
        }

        EvictBeyondCapacity();
    }

    /// <summary>The file is disposed: its handle closes now, whatever the cache holds.</summary>
    internal void Close(CachedStorageFile file)
    {
        IStorageFile? handle;
        lock (_lock)
        {
            file.Closed = true;
            if (file.Node.List is not null)
            {
                _idle.Remove(file.Node);
            }

            handle = file.Handle;
            file.Adopt(null);
            if (handle is not null)
            {
                _open--;
            }
        }

        handle?.Dispose();
    }

    private void Track(CachedStorageFile file)
    {
        lock (_lock)
        {
            _open++;
            _idle.AddLast(file.Node);
        }

        EvictBeyondCapacity();
    }

    private IStorageFile OpenInner(string path, bool create)
    {
        try
        {
            try
            {
                return inner.Open(path, create);
            }
            catch (IOException e) when (IsOutOfHandles(e) && CloseIdle(all: true) > 0)
            {
                return inner.Open(path, create);
            }
        }
        catch (IOException e) when (IsOutOfHandles(e))
        {
            Interlocked.Increment(ref _refusals);
            throw OutOfHandles(path, e);
        }
    }

    /// <summary>Opens refused because the process had no handle left, since start.</summary>
    public long Refusals => Interlocked.Read(ref _refusals);

    /// <summary>The retriable error for an open the process has no handle for.</summary>
    public static OrleansLogException OutOfHandles(string path, IOException cause) =>
        new(ErrorCode.KafkaStorageError, $"The broker is out of file handles and could not open {System.IO.Path.GetFileName(path)}: {cause.Message}. Retry; open files go as partitions fall idle.", cause);

    private void EvictBeyondCapacity()
    {
        lock (_lock)
        {
            if (_open <= Capacity)
            {
                return;
            }
        }

        CloseIdle(all: false);
    }

    /// <summary>Closes idle handles, least recently used first, until at most <see cref="Capacity"/> are open, or every idle one when <paramref name="all"/> is set; returns how many.</summary>
    private int CloseIdle(bool all)
    {
        var closing = new List<IStorageFile>();
        lock (_lock)
        {
            while (_idle.First is { } lru && (all || _open > Capacity))
            {
                _idle.RemoveFirst();
                closing.Add(lru.Value.Handle!);
                lru.Value.Adopt(null);
                _open--;
            }
        }

        foreach (var handle in closing)
        {
            handle.Dispose();
        }

        return closing.Count;
    }

    /// <summary>EMFILE or ENFILE: the process or the system is out of file handles.</summary>
    public static bool IsOutOfHandles(IOException e) =>
        e.HResult is 24 or 23 || e.Message.Contains("Too many open files", StringComparison.OrdinalIgnoreCase);
}
