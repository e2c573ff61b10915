namespace OrleansLog.Records.Compression;

/// <summary>Lets stream-only codecs read a span without copying it into an array, and drain into a buffer writer.</summary>
internal static class SpanStreams
{
    public static unsafe void ReadThrough(ReadOnlySpan<byte> source, Action<Stream> consume)
    {
        fixed (byte* pointer = source)
        {
            using var stream = new UnmanagedMemoryStream(pointer, source.Length);
            consume(stream);
        }
    }

    public static void CopyAll(Stream input, System.Buffers.IBufferWriter<byte> destination)
    {
        while (true)
        {
            var span = destination.GetSpan(16 * 1024);
            var read = input.Read(span);
            if (read == 0)
            {
                return;
            }

            destination.Advance(read);
        }
    }
}
