using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Security;
using OrleansLog.Security;

namespace OrleansLog.Kafka.Handlers;

/// <summary>CreateAcls (key 30, v0-1): adds ACLs, each checked as Kafka checks it; needs ALTER on the cluster. This broker applies them at once, the others within their refresh interval.</summary>
internal sealed class CreateAclsHandler(KafkaListenerContext context) : IKafkaHandler
{
    public ApiKey Key => ApiKey.CreateAcls;

    public async Task<KafkaWriter?> HandleAsync(KafkaRequest request)
    {
        var reader = new KafkaReader(request.Body);
        var count = reader.ReadArrayLength(flexible: false);
        var acls = new List<AclBinding>(Math.Max(count, 0));
        for (var i = 0; i < count; i++)
        {
            acls.Add(AclWire.ReadBinding(ref reader, request.Version));
        }

        var results = new (ErrorCode Code, string? Message)[acls.Count];
        if (AclWire.Refusal(context, request, AclOperation.Alter) is { } refusal)
        {
            Array.Fill(results, refusal);
        }
        else
        {
            try
            {
                var refusals = await context.Grains.GetGrain<IAclStoreGrain>(IAclStoreGrain.ClusterKey).Create([.. acls]);
                for (var i = 0; i < results.Length; i++)
                {
                    results[i] = refusals[i] is { } why ? (ErrorCode.InvalidRequest, $"The ACL was refused: {why}.") : (ErrorCode.None, null);
                }

                await context.Acls.RefreshAsync();
            }
            catch (Exception e)
            {
                Array.Fill(results, KafkaErrors.From(e));
            }
        }

        var response = request.StartResponse();
        response.WriteThrottleTime();
        response.WriteArrayLength(results.Length, flexible: false);
        foreach (var (code, message) in results)
        {
            response.WriteInt16(code);
            response.WriteNullableString(message, flexible: false);
        }

        return response;
    }
}
