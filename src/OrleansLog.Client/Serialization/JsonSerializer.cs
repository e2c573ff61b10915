using System.Buffers;
using System.Text.Json;

namespace OrleansLog.Client.Serialization;

/// <summary>JSON through System.Text.Json, written into the producer's buffer; a null value is Kafka's null.</summary>
public sealed class JsonSerializer<T>(JsonSerializerOptions? options = null) : ISerializer<T>
{
    private readonly JsonSerializerOptions _options = options ?? JsonSerializerOptions.Web;

    [ThreadStatic]
    private static Utf8JsonWriter? _threadWriter;

    public bool Serialize(T value, IBufferWriter<byte> destination)
    {
        if (value is null)
        {
            return false;
        }

        var writer = _threadWriter ??= new Utf8JsonWriter(destination);
        writer.Reset(destination);
        System.Text.Json.JsonSerializer.Serialize(writer, value, _options);
        writer.Flush();
        writer.Reset(Stream.Null);
        return true;
    }
}
