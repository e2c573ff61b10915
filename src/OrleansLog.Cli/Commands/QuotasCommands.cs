using System.CommandLine;
using System.Globalization;
using OrleansLog.Cli.Connection;
using OrleansLog.Security;

namespace OrleansLog.Cli.Commands;

/// <summary><c>orleanslog quotas set|list|delete</c>: client quotas per user and/or client id (Kafka's <c>kafka-configs --entity-type users|clients</c>).</summary>
internal static class QuotasCommands
{
    private static readonly Option<string?> User = new("--user") { Description = "The user (a principal's name without \"User:\")." };
    private static readonly Option<bool> DefaultUser = new("--default-user") { Description = "Every user without a quota of its own." };
    private static readonly Option<string?> ClientId = new("--client-id") { Description = "The client id." };
    private static readonly Option<bool> DefaultClientId = new("--default-client-id") { Description = "Every client id without a quota of its own." };

    public static Command Build() => new("quotas", "Manage client quotas: bytes per second produced or fetched, and request time, per user and/or client id; a client over its quota is slowed, never refused.")
    {
        Set(),
        List(),
        Delete(),
    };

    private static Command Set()
    {
        var producer = new Option<double?>("--producer-byte-rate") { Description = "Bytes per second the entity may produce, per broker." };
        var consumer = new Option<double?>("--consumer-byte-rate") { Description = "Bytes per second the entity may fetch, per broker." };
        var requests = new Option<double?>("--request-percentage") { Description = "Percentage of one request handler's time (100 = one) per broker." };
        var command = new Command("set", "Set one or more quotas of a user, a client id, or both.")
        {
            User, DefaultUser, ClientId, DefaultClientId, producer, consumer, requests,
        };
        command.SetBrokerAction(async (parse, broker, _) =>
        {
            var entity = Entity(parse);
            var operations = new[] { (ClientQuotaKeys.ProducerByteRate, parse.GetValue(producer)), (ClientQuotaKeys.ConsumerByteRate, parse.GetValue(consumer)), (ClientQuotaKeys.RequestPercentage, parse.GetValue(requests)) }
                .Where(o => o.Item2 is not null)
                .Select(o => new ClientQuotaOperation(o.Item1, o.Item2!.Value, Remove: false))
                .ToList();
            if (operations.Count == 0)
            {
                throw new CliException(ExitCodes.Usage, "give a quota: --producer-byte-rate, --consumer-byte-rate or --request-percentage");
            }

            await broker.Admin.AlterClientQuotasAsync([new ClientQuotaAlteration(entity, [.. operations])]);
            Console.WriteLine($"Set {string.Join(", ", operations.Select(o => string.Create(CultureInfo.InvariantCulture, $"{o.Key}={o.Value}")))} for {entity}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "List the quotas (all, or those of the named user and/or client id).") { User, DefaultUser, ClientId, DefaultClientId };
        command.SetBrokerAction(async (parse, broker, _) =>
        {
            var components = new List<ClientQuotaFilterComponent>();
            if (parse.GetValue(User) is { } user)
            {
                components.Add(new ClientQuotaFilterComponent(ClientQuotaEntity.UserType, ClientQuotaMatch.Exact, user));
            }
            else if (parse.GetValue(DefaultUser))
            {
                components.Add(new ClientQuotaFilterComponent(ClientQuotaEntity.UserType, ClientQuotaMatch.Default, null));
            }

            if (parse.GetValue(ClientId) is { } clientId)
            {
                components.Add(new ClientQuotaFilterComponent(ClientQuotaEntity.ClientIdType, ClientQuotaMatch.Exact, clientId));
            }
            else if (parse.GetValue(DefaultClientId))
            {
                components.Add(new ClientQuotaFilterComponent(ClientQuotaEntity.ClientIdType, ClientQuotaMatch.Default, null));
            }

            foreach (var entry in await broker.Admin.DescribeClientQuotasAsync(new ClientQuotaFilter([.. components], Strict: false)))
            {
                Console.WriteLine($"{entry.Entity}: {string.Join(", ", entry.Values.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => string.Create(CultureInfo.InvariantCulture, $"{v.Key}={v.Value}")))}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Delete()
    {
        var command = new Command("delete", "Remove every quota of a user, a client id, or both.") { User, DefaultUser, ClientId, DefaultClientId };
        command.SetBrokerAction(async (parse, broker, _) =>
        {
            var entity = Entity(parse);
            await broker.Admin.AlterClientQuotasAsync([new ClientQuotaAlteration(entity, [.. ClientQuotaKeys.All.Select(k => new ClientQuotaOperation(k, 0, Remove: true))])]);
            Console.WriteLine($"Removed the quotas of {entity}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static ClientQuotaEntity Entity(ParseResult parse)
    {
        var user = parse.GetValue(User) ?? (parse.GetValue(DefaultUser) ? ClientQuotaEntity.Default : null);
        var clientId = parse.GetValue(ClientId) ?? (parse.GetValue(DefaultClientId) ? ClientQuotaEntity.Default : null);
        return user is null && clientId is null
            ? throw new CliException(ExitCodes.Usage, "name an entity: --user NAME, --default-user, --client-id ID or --default-client-id (a user and a client id together are one entity)")
            : new ClientQuotaEntity(user, clientId);
    }
}
