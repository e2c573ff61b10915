namespace OrleansLog.Storage.IO;

/// <summary>
/// A file of a <see cref="HandleCachingFileSystem"/>: every operation leases the OS handle (opening it again when it
/// was evicted) and returns it after. Positional reads and writes make a reopened handle behave like the old one.
/// Thread-safe as <see cref="IStorageFile"/> asks: concurrent operations share one leased handle.
/// </summary>
internal sealed class CachedStorageFile : IStorageFile
{
    private readonly HandleCachingFileSystem _cache;

    public CachedStorageFile(HandleCachingFileSystem cache, string path)
    {
        _cache = cache;
        Path = path;
        Node = new LinkedListNode<CachedStorageFile>(this);
    }

    public string Path { get; }

    /// <summary>The open handle, or null while evicted (changed under the cache's lock).</summary>
    internal IStorageFile? Handle { get; private set; }

    /// <summary>Operations running on the handle now (changed under the cache's lock).</summary>
    internal int Users { get; set; }

    internal bool Closed { get; set; }

    /// <summary>This file's place in the cache's idle list.</summary>
    internal LinkedListNode<CachedStorageFile> Node { get; }

    internal void Adopt(IStorageFile? handle) => Handle = handle;

    public int Read(Span<byte> destination, long position)
    {
        var handle = _cache.Lease(this);
        try
        {
            return handle.Read(destination, position);
        }
        finally
        {
            _cache.Return(this);
        }
    }

    public void Write(ReadOnlySpan<byte> source, long position)
    {
        var handle = _cache.Lease(this);
        try
        {
            handle.Write(source, position);
        }
        finally
        {
            _cache.Return(this);
        }
    }

    public void Write(IReadOnlyList<ReadOnlyMemory<byte>> buffers, long position)
    {
        var handle = _cache.Lease(this);
        try
        {
            handle.Write(buffers, position);
        }
        finally
        {
            _cache.Return(this);
        }
    }

    public void Flush()
    {
        var handle = _cache.Lease(this);
        try
        {
            handle.Flush();
        }
        finally
        {
            _cache.Return(this);
        }
    }

    public long GetLength()
    {
        var handle = _cache.Lease(this);
        try
        {
            return handle.GetLength();
        }
        finally
        {
            _cache.Return(this);
        }
    }

    public void SetLength(long length)
    {
        var handle = _cache.Lease(this);
        try
        {
            handle.SetLength(length);
        }
        finally
        {
            _cache.Return(this);
        }
    }

    public void Dispose() => _cache.Close(this);
}
