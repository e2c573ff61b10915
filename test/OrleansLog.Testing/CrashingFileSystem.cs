using OrleansLog.Storage.IO;

namespace OrleansLog.Testing;

/// <summary>
/// An in-memory file system with the durability rules of a POSIX disk under power loss, for crash tests
/// that must catch a missing fsync (a SIGKILL keeps the page cache, so it cannot). A file's contents are
/// durable only up to its last <see cref="IStorageFile.Flush"/>; a directory's entries (creations, renames,
/// deletions) only up to its last <see cref="IFileSystem.FlushDirectory"/>; a directory created here exists
/// after a crash only if its parent was flushed after it was created (a directory never created here, the
/// test's root, is always there). <see cref="Crash"/> drops what was not made durable: each file keeps its
/// durable contents plus a random prefix of the writes made since, the last of them torn at a random byte,
/// each directory reverts to its last flushed entries, and a created directory whose parent was not flushed
/// since goes with everything in it.
/// With <see cref="LieAboutFlush"/>, flushes do nothing: a log that relies on them must then lose data.
/// Thread-safe: one lock over everything (tests, not benchmarks).
/// </summary>
public sealed class CrashingFileSystem : IFileSystem
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, MemoryFile> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, MemoryFile>> _durableEntries = new(StringComparer.Ordinal);
    private readonly HashSet<string> _directories = new(StringComparer.Ordinal);
    private readonly HashSet<string> _durableDirectories = new(StringComparer.Ordinal);

    /// <summary>When set, <see cref="IStorageFile.Flush"/> and <see cref="FlushDirectory"/> make nothing durable.</summary>
    public bool LieAboutFlush { get; set; }

    public IStorageFile Open(string path, bool create)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(path, out var file))
            {
                if (!create)
                {
                    throw new FileNotFoundException($"No file {path}.", path);
                }

                file = new MemoryFile(this);
                _entries[path] = file;
            }

            return new Handle(this, path, file);
        }
    }

    public bool FileExists(string path)
    {
        lock (_lock)
        {
            return _entries.ContainsKey(path);
        }
    }

    public void DeleteFile(string path)
    {
        lock (_lock)
        {
            _entries.Remove(path);
        }
    }

    public bool CreateDirectory(string path)
    {
        lock (_lock)
        {
            return _directories.Add(path);
        }
    }

    public IReadOnlyList<string> ListFiles(string directory)
    {
        lock (_lock)
        {
            return [.. _entries.Keys.Where(p => Path.GetDirectoryName(p) == directory).Order(StringComparer.Ordinal)];
        }
    }

    public void Rename(string source, string destination)
    {
        lock (_lock)
        {
            if (!_entries.Remove(source, out var file))
            {
                throw new FileNotFoundException($"No file {source}.", source);
            }

            _entries[destination] = file;
        }
    }

    public void FlushDirectory(string directory)
    {
        lock (_lock)
        {
            if (!LieAboutFlush)
            {
                _durableEntries[directory] = _entries.Where(e => Path.GetDirectoryName(e.Key) == directory).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
                _durableDirectories.UnionWith(_directories.Where(d => Path.GetDirectoryName(d) == directory));
            }
        }
    }

    public IDisposable LockDirectory(string directory) => new Handle(this, directory, new MemoryFile(this));

    /// <summary>
    /// Power loss: every file keeps what was flushed plus a random prefix of its later writes (the last one
    /// torn), and every directory goes back to its last flushed entries. Handles opened before stay usable
    /// but should be abandoned, as a crashed process's would be.
    /// </summary>
    public void Crash(Random random)
    {
        lock (_lock)
        {
            foreach (var file in _entries.Values.Concat(_durableEntries.Values.SelectMany(d => d.Values)).Distinct())
            {
                file.Crash(random);
            }

            // A directory never flushed keeps nothing of what was created in it.
            foreach (var path in _entries.Keys.ToList())
            {
                var directory = Path.GetDirectoryName(path)!;
                if (!_durableEntries.TryGetValue(directory, out var durable) || !durable.ContainsKey(path))
                {
                    _entries.Remove(path);
                }
            }

            foreach (var (_, durable) in _durableEntries)
            {
                foreach (var (path, file) in durable)
                {
                    _entries[path] = file;
                }
            }

            // A created directory whose entry in its parent was never flushed is gone, with all it held.
            foreach (var lost in _directories.Where(d => !_durableDirectories.Contains(d)).ToList())
            {
                _directories.Remove(lost);
                foreach (var path in _entries.Keys.Where(p => IsUnder(p, lost)).ToList())
                {
                    _entries.Remove(path);
                }

                foreach (var directory in _durableEntries.Keys.Where(d => d == lost || IsUnder(d, lost)).ToList())
                {
                    _durableEntries.Remove(directory);
                }
            }
        }
    }

    private static bool IsUnder(string path, string directory) =>
        path.StartsWith(directory, StringComparison.Ordinal) && path.Length > directory.Length && path[directory.Length] == Path.DirectorySeparatorChar;

    /// <summary>One file: the bytes now, the bytes as of the last flush, and the writes since.</summary>
    private sealed class MemoryFile(CrashingFileSystem owner)
    {
        private readonly List<(long Position, byte[] Bytes, long LengthAfter)> _pending = [];
        private byte[] _current = [];
        private long _length;
        private byte[] _durable = [];

        public long Length => _length;

        public int Read(Span<byte> destination, long position)
        {
            var count = (int)Math.Clamp(_length - position, 0, destination.Length);
            _current.AsSpan((int)position, count).CopyTo(destination);
            return count;
        }

        public void Write(ReadOnlySpan<byte> source, long position)
        {
            var end = position + source.Length;
            Grow(end);
            source.CopyTo(_current.AsSpan((int)position));
            _length = Math.Max(_length, end);
            _pending.Add((position, source.ToArray(), _length));
        }

        public void SetLength(long length)
        {
            Grow(length);
            if (length < _length)
            {
                _current.AsSpan((int)length, (int)(_length - length)).Clear();
            }

            _length = length;
            _pending.Add((length, [], length));
        }

        public void Flush()
        {
            if (!owner.LieAboutFlush)
            {
                _durable = _current.AsSpan(0, (int)_length).ToArray();
                _pending.Clear();
            }
        }

        public void Crash(Random random)
        {
            var image = _durable.ToArray();
            var length = (long)image.Length;
            var survivors = random.Next(_pending.Count + 1);
            for (var i = 0; i < survivors; i++)
            {
                var (position, bytes, lengthAfter) = _pending[i];
                var kept = i == survivors - 1 ? random.Next(bytes.Length + 1) : bytes.Length;
                var needed = Math.Max(lengthAfter, position + kept);
                if (image.Length < needed)
                {
                    Array.Resize(ref image, (int)needed);
                }

                bytes.AsSpan(0, kept).CopyTo(image.AsSpan((int)position));
                length = bytes.Length == 0 ? lengthAfter : Math.Max(length, position + kept);
            }

            _current = image;
            _length = Math.Min(length, image.Length);
            _durable = image.AsSpan(0, (int)_length).ToArray();
            _pending.Clear();
        }

        private void Grow(long length)
        {
            if (_current.Length < length)
            {
                Array.Resize(ref _current, (int)Math.Max(length, _current.Length * 2L));
            }
        }
    }

    private sealed class Handle(CrashingFileSystem owner, string path, MemoryFile file) : IStorageFile
    {
        public string Path => path;

        public int Read(Span<byte> destination, long position)
        {
            lock (owner._lock)
            {
                return file.Read(destination, position);
            }
        }

        public void Write(ReadOnlySpan<byte> source, long position)
        {
            lock (owner._lock)
            {
                file.Write(source, position);
            }
        }

        public void Write(IReadOnlyList<ReadOnlyMemory<byte>> buffers, long position)
        {
            lock (owner._lock)
            {
                foreach (var buffer in buffers)
                {
                    file.Write(buffer.Span, position);
                    position += buffer.Length;
                }
            }
        }

        public void Flush()
        {
            lock (owner._lock)
            {
                file.Flush();
            }
        }

        public long GetLength()
        {
            lock (owner._lock)
            {
                return file.Length;
            }
        }

        public void SetLength(long length)
        {
            lock (owner._lock)
            {
                file.SetLength(length);
            }
        }

        public void Dispose()
        {
        }
    }
}
