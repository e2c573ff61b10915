namespace OrleansLog.Storage.IO;

/// <summary>
/// One open file of the log, with positional reads and writes. <see cref="Flush"/> is the durability
/// point: when it returns, every byte written before it survives a power loss. Implementations allow
/// concurrent positional reads, and a flush concurrent with writes.
/// </summary>
public interface IStorageFile : IDisposable
{
    string Path { get; }

    /// <summary>Reads up to <paramref name="destination"/>'s length from <paramref name="position"/>; fewer only at end of file.</summary>
    int Read(Span<byte> destination, long position);

    void Write(ReadOnlySpan<byte> source, long position);

    /// <summary>Writes the buffers back to back starting at <paramref name="position"/> (one vectored write where the OS has it).</summary>
    void Write(IReadOnlyList<ReadOnlyMemory<byte>> buffers, long position);

    /// <summary>Makes every written byte durable (fdatasync on Linux).</summary>
    void Flush();

    long GetLength();

    void SetLength(long length);
}
