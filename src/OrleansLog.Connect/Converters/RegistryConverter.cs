using System.Buffers.Binary;
using OrleansLog.Connect.Data;

namespace OrleansLog.Connect.Converters;

/// <summary>
/// What the schema registry converters share: Confluent's wire format (a zero byte, the schema id as 4 big-endian bytes,
/// then the payload), subjects by TopicNameStrategy (<c>{topic}-key</c>, <c>{topic}-value</c>), and bounded caches of
/// ids by schema object and of schemas by id, so the registry is asked once per schema. Not thread-safe (one per task side).
/// </summary>
public abstract class RegistryConverter<TParsed>(ISchemaStore store, bool isKey, string schemaType) : IConverter
    where TParsed : class
{
    private const int MaxCached = 1_000;

    private readonly Dictionary<ConnectSchema, (int Id, TParsed Parsed)> _written = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<int, (ConnectSchema Schema, TParsed Parsed)> _schemas = [];

    public async ValueTask<byte[]?> FromConnectAsync(string topic, ConnectSchema? schema, object? value)
    {
        if (value is null)
        {
            return null;
        }

        if (schema is null)
        {
            throw new DataException($"{GetType().Name} writes values with a schema only; this record of {topic} has none.");
        }

        // Records of one source share their schema objects: each is described and registered once.
        if (!_written.TryGetValue(schema, out var written))
        {
            if (_written.Count >= MaxCached)
            {
                _written.Clear();
            }

            var (text, parsed) = Describe(schema);
            written = (await store.RegisterAsync($"{topic}-{(isKey ? "key" : "value")}", schemaType, text), parsed);
            _written[schema] = written;
        }

        var (id, parsedSchema) = written;
        var payload = Write(parsedSchema, schema, value);
        var bytes = new byte[5 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(1), id);
        payload.CopyTo(bytes.AsSpan(5));
        return bytes;
    }

    public async ValueTask<(ConnectSchema? Schema, object? Value)> ToConnectAsync(string topic, byte[]? data)
    {
        if (data is null)
        {
            return (null, null);
        }

        if (data.Length < 5 || data[0] != 0)
        {
            throw new DataException($"A record of {topic} is not in the schema registry's wire format (a zero byte and a 4-byte schema id first).");
        }

        var id = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(1));
        if (!_schemas.TryGetValue(id, out var known))
        {
            var (type, text) = await store.GetAsync(id);
            if (!string.Equals(type, schemaType, StringComparison.OrdinalIgnoreCase))
            {
                throw new DataException($"Schema {id} is {type}, not {schemaType}.");
            }

            if (_schemas.Count >= MaxCached)
            {
                _schemas.Clear();
            }

            known = Parse(text);
            _schemas[id] = known;
        }

        return (known.Schema, Read(known.Parsed, known.Schema, data.AsMemory(5)));
    }

    /// <summary>The registry's text of <paramref name="schema"/> and its parsed form.</summary>
    protected abstract (string Text, TParsed Parsed) Describe(ConnectSchema schema);

    /// <summary>A registered schema's Connect schema and parsed form.</summary>
    protected abstract (ConnectSchema Schema, TParsed Parsed) Parse(string text);

    protected abstract byte[] Write(TParsed parsed, ConnectSchema schema, object value);

    protected abstract object? Read(TParsed parsed, ConnectSchema schema, ReadOnlyMemory<byte> payload);
}
