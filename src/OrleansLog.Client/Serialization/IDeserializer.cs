namespace OrleansLog.Client.Serialization;

/// <summary>Turns a record's key or value bytes back into a value; isNull tells a null from empty bytes.</summary>
public interface IDeserializer<out T>
{
    T Deserialize(ReadOnlySpan<byte> data, bool isNull);
}
