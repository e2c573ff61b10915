using OrleansLog.Connect.Converters;

namespace OrleansLog.Connect.Tests;

/// <summary>A schema registry in memory for the converters' unit tests: ids from 1, one per schema text; what was registered under which subject.</summary>
internal sealed class MemorySchemaStore : ISchemaStore
{
    private readonly List<(string Type, string Schema)> _schemas = [];

    public List<(string Subject, int Id)> Registrations { get; } = [];

    public int Lookups { get; private set; }

    public Task<int> RegisterAsync(string subject, string schemaType, string schema)
    {
        var index = _schemas.IndexOf((schemaType, schema));
        if (index < 0)
        {
            _schemas.Add((schemaType, schema));
            index = _schemas.Count - 1;
        }

        Registrations.Add((subject, index + 1));
        return Task.FromResult(index + 1);
    }

    public Task<(string SchemaType, string Schema)> GetAsync(int id)
    {
        Lookups++;
        return id >= 1 && id <= _schemas.Count ? Task.FromResult(_schemas[id - 1]) : throw new DataException($"no schema {id}");
    }

    public string Text(int id) => _schemas[id - 1].Schema;
}
