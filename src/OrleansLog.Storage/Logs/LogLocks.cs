using System.Diagnostics.CodeAnalysis;

namespace OrleansLog.Storage.Logs;

/// <summary>
/// The lock discipline of one partition log, in one place. Reads share a read-write lock; appends,
/// rolls and config changes take it exclusively. An operation that deletes, replaces or closes segment
/// files also holds the file-lifetime lock first: a flush holds that lock (and not the read-write lock)
/// while it fsyncs the active segment, so appends continue during an fdatasync and no file is deleted or
/// closed under one. Every scope but <see cref="Close"/> and <see cref="WriteEvenIfFenced"/> refuses a
/// fenced log after taking its locks. Thread-safe.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "The locks live as long as their log; a reader arriving after the log closed must get KAFKA_STORAGE_ERROR from the fence, not ObjectDisposedException from a disposed lock.")]
internal sealed class LogLocks(LogFence fence)
{
    private readonly ReaderWriterLockSlim _readWrite = new(LockRecursionPolicy.NoRecursion);
    private readonly Lock _fileLifetime = new();

    public ReadScope Read()
    {
        var scope = new ReadScope(_readWrite);
        if (fence.IsFenced)
        {
            scope.Dispose();
            fence.ThrowIfFenced();
        }

        return scope;
    }

    public WriteScope Write() => Checked(new WriteScope(_readWrite, null));

    /// <summary>For settings that must apply even to an offline log.</summary>
    public WriteScope WriteEvenIfFenced() => new(_readWrite, null);

    /// <summary>Exclusive, for operations that delete or replace segment files.</summary>
    public WriteScope WriteFiles() => Checked(new WriteScope(_readWrite, _fileLifetime));

    /// <summary>Exclusive and unchecked, for closing the log.</summary>
    public WriteScope Close() => new(_readWrite, _fileLifetime);

    /// <summary>Held by a flush while it fsyncs, so the files it flushes stay open.</summary>
    public Lock.Scope FileLifetime() => _fileLifetime.EnterScope();

    private WriteScope Checked(WriteScope scope)
    {
        if (fence.IsFenced)
        {
            scope.Dispose();
            fence.ThrowIfFenced();
        }

        return scope;
    }

    /// <summary>A held read lock; dispose to release.</summary>
    public readonly ref struct ReadScope
    {
        private readonly ReaderWriterLockSlim _readWrite;

        public ReadScope(ReaderWriterLockSlim readWrite)
        {
            _readWrite = readWrite;
            readWrite.EnterReadLock();
        }

        public void Dispose() => _readWrite.ExitReadLock();
    }

    /// <summary>A held write lock (and file-lifetime lock, when given); dispose to release both.</summary>
    public readonly ref struct WriteScope
    {
        private readonly ReaderWriterLockSlim _readWrite;
        private readonly Lock? _fileLifetime;

        public WriteScope(ReaderWriterLockSlim readWrite, Lock? fileLifetime)
        {
            _readWrite = readWrite;
            _fileLifetime = fileLifetime;
            fileLifetime?.Enter();
            try
            {
                readWrite.EnterWriteLock();
            }
            catch
            {
                fileLifetime?.Exit();
                throw;
            }
        }

        public void Dispose()
        {
            _readWrite.ExitWriteLock();
            _fileLifetime?.Exit();
        }
    }
}
