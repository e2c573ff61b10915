using Json.Schema;

namespace OrleansLog.Server.Schemas;

/// <summary>
/// How the registry reads JSON Schemas: draft 7 unless a schema names its own <c>$schema</c>, as Confluent Schema Registry
/// does, and with unknown keywords kept as annotations. JsonSchema.Net's default dialect refuses unknown keywords, so it
/// refused the <c>connect.type</c> annotations Kafka Connect's JsonSchemaConverter writes.
/// </summary>
public static class JsonSchemaDialect
{
    public static BuildOptions Options => new() { Dialect = Dialect.Draft07 };
}
