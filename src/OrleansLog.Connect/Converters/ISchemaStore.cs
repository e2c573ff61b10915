using OrleansLog.Schemas;

namespace OrleansLog.Connect.Converters;

/// <summary>Where the schema registry converters register and find schemas: the cluster's own registry.</summary>
public interface ISchemaStore
{
    /// <summary>The id of <paramref name="schema"/> under <paramref name="subject"/>, registered if new (refused: a <see cref="DataException"/>).</summary>
    Task<int> RegisterAsync(string subject, string schemaType, string schema);

    /// <summary>The type and text of schema <paramref name="id"/> (unknown: a <see cref="DataException"/>).</summary>
    Task<(string SchemaType, string Schema)> GetAsync(int id);
}

/// <summary>The cluster's schema registry grain as a <see cref="ISchemaStore"/> (no HTTP hop: the converters run inside the brokers). Thread-safe.</summary>
public sealed class RegistrySchemaStore(IGrainFactory grains) : ISchemaStore
{
    private ISchemaRegistryGrain Registry => grains.GetGrain<ISchemaRegistryGrain>(ISchemaRegistryGrain.ClusterKey);

    public async Task<int> RegisterAsync(string subject, string schemaType, string schema)
    {
        var answer = await Registry.Register(subject, schemaType, schema);
        return answer.IsError ? throw new DataException($"The schema registry refused the schema for {subject}: {answer.Message}") : answer.Schema!.Id;
    }

    public async Task<(string SchemaType, string Schema)> GetAsync(int id)
    {
        var answer = await Registry.GetById(id);
        return answer.IsError ? throw new DataException($"Schema {id} is not in the schema registry: {answer.Message}") : (answer.Schema!.SchemaType, answer.Schema.Schema);
    }
}
