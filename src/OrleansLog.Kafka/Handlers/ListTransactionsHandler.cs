using OrleansLog.Kafka.Connections;
using OrleansLog.Kafka.Hosting;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Security;
using OrleansLog.Metadata;
using OrleansLog.Security;
using OrleansLog.Transactions;

namespace OrleansLog.Kafka.Handlers;

/// <summary>
/// ListTransactions (key 66, v0-1, flexible): the transactional ids the caller may describe, with producer id and state,
/// filtered by state names, producer ids and (v1) how long they have been open (Kafka's <c>kafka-transactions.sh list</c>).
/// A state filter Kafka does not know is returned in <c>UnknownStateFilters</c>. Kafka's admin client asks every broker
/// and shows each answer as that broker's: since any broker coordinates any id, the live broker with the lowest id answers
/// with every id and the others with none, so each id is listed once.
/// </summary>
internal sealed class ListTransactionsHandler(KafkaListenerContext context) : IKafkaHandler
{
    public ApiKey Key => ApiKey.ListTransactions;

    public async Task<KafkaWriter?> HandleAsync(KafkaRequest request)
    {
        var reader = new KafkaReader(request.Body);
        var states = new List<string>();
        var count = reader.ReadArrayLength(flexible: true);
        for (var i = 0; i < count; i++)
        {
            states.Add(reader.ReadString(flexible: true));
        }

        var producers = new HashSet<long>();
        count = reader.ReadArrayLength(flexible: true);
        for (var i = 0; i < count; i++)
        {
            producers.Add(reader.ReadInt64());
        }

        var minimumDurationMs = request.Version >= 1 ? reader.ReadInt64() : -1;
        var known = Enum.GetNames<TransactionState>();
        var unknownStates = states.Where(s => !known.Contains(s, StringComparer.Ordinal)).ToList();
        var error = ErrorCode.None;
        List<TransactionDescription> listed = [];
        try
        {
            var brokers = await context.Grains.GetGrain<IMetadataGrain>(IMetadataGrain.ClusterKey).ListBrokers();
            var lists = brokers.Where(b => b.IsAlive).Select(b => b.Id).DefaultIfEmpty(context.BrokerId).Min() == context.BrokerId;
            var ids = lists ? await context.Grains.GetGrain<ITransactionDirectoryGrain>(ITransactionDirectoryGrain.ClusterKey).List() : [];
            var visible = ids.Where(id => context.Allows(request, AclOperation.Describe, AclResourceType.TransactionalId, id, audit: false));
            var now = context.Time.GetUtcNow().ToUnixTimeMilliseconds();
            listed = [.. (await ITransactionDirectoryGrain.DescribeExistingAsync(context.Grains, visible))
                .Where(d => states.Count == 0 || states.Contains(d.StateName, StringComparer.Ordinal))
                .Where(d => producers.Count == 0 || producers.Contains(d.ProducerId))
                .Where(d => minimumDurationMs < 0 || (d.StartTimeMs > 0 && now - d.StartTimeMs >= minimumDurationMs))];
        }
        catch (Exception e)
        {
            error = KafkaErrors.From(e).Code;
        }

        var response = request.StartResponse();
        response.WriteThrottleTime();
        response.WriteInt16(error);
        response.WriteArrayLength(unknownStates.Count, flexible: true);
        foreach (var state in unknownStates)
        {
            response.WriteString(state, flexible: true);
        }

        response.WriteArrayLength(listed.Count, flexible: true);
        foreach (var description in listed)
        {
            response.WriteString(description.TransactionalId, flexible: true);
            response.WriteInt64(description.ProducerId);
            response.WriteString(description.StateName, flexible: true);
            response.WriteEmptyTaggedFields(flexible: true);
        }

        response.WriteEmptyTaggedFields(flexible: true);
        return response;
    }
}
