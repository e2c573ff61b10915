using System.Text.Json;

namespace OrleansLog.Client.Serialization;

/// <summary>JSON through System.Text.Json; a null record gives <c>default</c>.</summary>
public sealed class JsonDeserializer<T>(JsonSerializerOptions? options = null) : IDeserializer<T?>
{
    private readonly JsonSerializerOptions _options = options ?? JsonSerializerOptions.Web;

    public T? Deserialize(ReadOnlySpan<byte> data, bool isNull) => isNull ? default : System.Text.Json.JsonSerializer.Deserialize<T>(data, _options);
}
