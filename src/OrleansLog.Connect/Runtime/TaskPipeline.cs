using Microsoft.Extensions.Logging;
using OrleansLog.Client;
using OrleansLog.Connect.Config;
using OrleansLog.Connect.Converters;
using OrleansLog.Connect.Plugins;
using OrleansLog.Connect.Transforms;

namespace OrleansLog.Connect.Runtime;

/// <summary>What a task's records pass through, made from its configuration: the key and value converters, the transforms, and the handling of errors. One per task run; not thread-safe.</summary>
public sealed record TaskPipeline(IConverter Keys, IConverter Values, TransformChain Transforms, ErrorHandling Errors)
{
    public static TaskPipeline Create(ConnectConfig config, OrleansLogClient client, ConnectContext context, ILogger logger, ConnectTaskId id)
    {
        var schemas = new RegistrySchemaStore(client.Grains);
        return new TaskPipeline(
            ConverterFactory.Create(config.RequireString(ConnectorConfigs.KeyConverter), config.WithPrefix(ConnectorConfigs.KeyConverter + "."), isKey: true, schemas),
            ConverterFactory.Create(config.RequireString(ConnectorConfigs.ValueConverter), config.WithPrefix(ConnectorConfigs.ValueConverter + "."), isKey: false, schemas),
            TransformChain.Create(config.Original),
            new ErrorHandling(config, context.Time, logger, id.ToString()));
    }
}
