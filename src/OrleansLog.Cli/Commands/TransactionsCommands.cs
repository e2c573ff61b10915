using System.CommandLine;
using System.Globalization;
using OrleansLog.Cli.Connection;

namespace OrleansLog.Cli.Commands;

/// <summary><c>orleanslog transactions list|describe</c>, as Kafka's <c>kafka-transactions.sh</c>.</summary>
internal static class TransactionsCommands
{
    private static readonly Argument<string> TransactionalId = new("transactional-id") { Description = "The producer's transactional.id." };

    public static Command Build() => new("transactions", "List and describe transactional producers and their open transactions.") { List(), Describe() };

    private static Command List()
    {
        var command = new Command("list", "List transactional ids with their producer id, epoch and state.");
        command.SetBrokerAction(async (_, broker, _) =>
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"TRANSACTIONAL-ID",-32}{"PRODUCER-ID",14}{"EPOCH",8}  STATE"));
            foreach (var t in (await broker.Admin.ListTransactionsAsync()).OrderBy(t => t.TransactionalId, StringComparer.Ordinal))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{t.TransactionalId,-32}{t.ProducerId,14}{t.ProducerEpoch,8}  {t.StateName}"));
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Describe()
    {
        var command = new Command("describe", "Show a transactional id's producer, state, timeout, and its open transaction's start, partitions and groups.") { TransactionalId };
        command.SetBrokerAction(async (parse, broker, _) =>
        {
            var t = await broker.Admin.DescribeTransactionAsync(parse.GetValue(TransactionalId)!);
            var started = t.StartTimeMs > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(t.StartTimeMs).ToString("O", CultureInfo.InvariantCulture) : "-";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Transactional id: {t.TransactionalId}\tProducer id: {t.ProducerId}\tEpoch: {t.ProducerEpoch}\tState: {t.StateName}\tTimeout: {t.TimeoutMs} ms\tStarted: {started}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Partitions: {(t.Partitions.IsDefaultOrEmpty ? "-" : string.Join(", ", t.Partitions))}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Groups: {(t.Groups.IsDefaultOrEmpty ? "-" : string.Join(", ", t.Groups))}"));
            return ExitCodes.Ok;
        });
        return command;
    }
}
