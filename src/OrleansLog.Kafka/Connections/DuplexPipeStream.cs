using System.Buffers;
using System.IO.Pipelines;

namespace OrleansLog.Kafka.Connections;

/// <summary>
/// A socket connection's pipes seen as a <see cref="Stream"/>, for <see cref="System.Net.Security.SslStream"/> to run over:
/// reads take what the input pipe holds (up to the caller's buffer); writes go to the output pipe, flushed at once
/// while <see cref="FlushEachWrite"/> (the handshake), and after that only on <see cref="FlushAsync"/>, so the TLS
/// records of one response leave in one send.
/// <para>Concurrency: one reader and one writer at a time, as SslStream uses it.</para>
/// </summary>
internal sealed class DuplexPipeStream(IDuplexPipe transport) : Stream
{
    /// <summary>Whether each write is flushed to the socket (true until the handshake is done: SslStream's handshake does not flush).</summary>
    public bool FlushEachWrite { get; set; } = true;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var result = await transport.Input.ReadAsync(cancellationToken);
            var available = result.Buffer;
            if (!available.IsEmpty)
            {
                var count = (int)Math.Min(available.Length, buffer.Length);
                available.Slice(0, count).CopyTo(buffer.Span);
                transport.Input.AdvanceTo(available.GetPosition(count));
                return count;
            }

            transport.Input.AdvanceTo(available.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                return 0;
            }
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (FlushEachWrite)
        {
            await transport.Output.WriteAsync(buffer, cancellationToken);
        }
        else
        {
            transport.Output.Write(buffer.Span);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async Task FlushAsync(CancellationToken cancellationToken) =>
        await transport.Output.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("The connection is read asynchronously.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("The connection is written asynchronously.");

    public override void Flush() => throw new NotSupportedException("The connection is flushed asynchronously.");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
